using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>
/// Thousands of concurrent API connections on this machine: node's ws opens them from its own process (so the
/// clients' memory is not ours), the edge runs in this process, and the managed heap is measured with
/// GC.GetTotalMemory(forceFullCollection) before and after. Then every connection sends one message (so the
/// backend learns its id), the backend pushes to every one through /@connections, and all close.
/// EDGE_WSAPI_LOAD_CONNECTIONS overrides the count (default 3000).
/// </summary>
public sealed class WebSocketApiLoadTests(ITestOutputHelper output)
{
    private const string Script = """
        const WebSocket = require('ws');
        const readline = require('readline');
        const [url, countArg, concurrencyArg] = process.argv.slice(2);
        const count = +countArg, concurrency = +concurrencyArg;
        const sockets = [];
        let started = 0, opened = 0, received = 0, closed = 0;
        function openOne() {
          if (started >= count) return;
          started++;
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.on('open', () => { sockets.push(ws); if (++opened === count) console.log('READY ' + opened); openOne(); });
          ws.on('message', () => { if (++received === count) console.log('RECEIVED ' + received); });
          ws.on('close', () => { if (++closed === count) console.log('CLOSED ' + closed); });
          ws.on('error', (e) => console.log('ERROR ' + e.message));
        }
        for (let i = 0; i < concurrency; i++) openOne();
        readline.createInterface({ input: process.stdin }).on('line', (line) => {
          if (line === 'hello') for (const ws of sockets) ws.send('{"action":"register"}');
          if (line === 'close') for (const ws of sockets) ws.close(1000);
        });
        """;

    /// <summary>
    /// Managed bytes one idle API connection may hold, Kestrel's share included: the issue's target is 8 KiB; a
    /// connection that kept its request head (~40 KiB) or a message buffer would be far over.
    /// </summary>
    private const long MaxBytesPerIdleConnection = 8 * 1024;

    [Fact]
    public async Task Thousands_of_idle_connections_hold_little_memory_and_all_receive_a_push()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("EDGE_WSAPI_LOAD_CONNECTIONS"), out var n) ? n : 3000;
        await using var backend = await ApiBackend.StartAsync();
        // No $connect and no $disconnect: while the heap is measured, no integration call runs (their HTTP connections
        // would be counted); $default is one-way, so the backend learns ids without answering.
        var config = ApiEdge.EdgeConfig(backend.Address)
            .Replace("        $connect:\n          path: /connect\n", "", StringComparison.Ordinal)
            .Replace("        $disconnect:\n          path: /disconnect\n", "", StringComparison.Ordinal)
            .Replace("        $default:\n          path: /default\n          reply: true\n", "        $default:\n          path: /messages\n", StringComparison.Ordinal);
        Assert.DoesNotContain("$connect", config, StringComparison.Ordinal);
        Assert.DoesNotContain("$disconnect", config, StringComparison.Ordinal);
        await using var edge = await EdgeInstance.StartAsync(config);

        // Warm-up: a round of connections grows the transport's block pool and JITs the paths, and gives earlier tests'
        // leftovers (disposed servers, client pools on timers) time to go, so neither lands in the measured round.
        await OpenAndCloseAsync(edge, count / 10, _ => Task.CompletedTask);

        // Memory: open, measure, close all, measure again.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        double openSeconds = 0;
        long open = 0;
        await OpenAndCloseAsync(edge, count, async _ =>
        {
            openSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(1000);   // every receive loop is parked in its zero-byte read
            open = GC.GetTotalMemory(forceFullCollection: true);
        });
        var closed = GC.GetTotalMemory(forceFullCollection: true);
        // Two estimates of what the connections held, each skewed upward by a different noise: against the heap before
        // they opened (anything the round left behind counts), and against the heap after they closed (anything freed
        // meanwhile that was not theirs counts). A connection that kept a buffer shows in both; noise rarely in both.
        var afterClose = (open - closed) / count;
        var beforeOpen = (open - before) / count;
        var perConnection = Math.Min(afterClose, beforeOpen);

        // Push: connections send one message each (the backend learns their ids), then the backend pushes to every one.
        double pushSeconds = 0;
        await OpenAndCloseAsync(edge, count, async node =>
        {
            node.Send("hello");
            var deadline = Environment.TickCount64 + 120_000;
            while (backend.Calls.Count(c => c.EventType == "MESSAGE") < count)
            {
                Assert.True(Environment.TickCount64 < deadline, $"only {backend.Calls.Count(c => c.EventType == "MESSAGE")} of {count} messages reached the backend");
                await Task.Delay(100);
            }
            var ids = backend.Calls.Where(c => c.EventType == "MESSAGE").Select(c => c.ConnectionId).Distinct().ToList();
            Assert.Equal(count, ids.Count);

            using var admin = ApiEdge.AdminHttp(edge);
            using var gate = new SemaphoreSlim(64);
            clock.Restart();
            var statuses = await Task.WhenAll(ids.Select(async id =>
            {
                await gate.WaitAsync();
                try
                {
                    using var response = await admin.PostAsync($"/@connections/{id}", new StringContent("""{"type":"broadcast"}"""));
                    return response.StatusCode;
                }
                finally
                {
                    gate.Release();
                }
            }));
            pushSeconds = clock.Elapsed.TotalSeconds;
            Assert.Equal(count, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal($"RECEIVED {count}", await node.NextLineAsync(60_000));
        });

        output.WriteLine(FormattableString.Invariant(
            $"connections={count} open_s={openSeconds:F2} managed_bytes_per_idle_connection={perConnection} (against the heap after close: {afterClose}, before open: {beforeOpen}) pushes={count} push_s={pushSeconds:F2} pushes_per_s={count / pushSeconds:F0}"));
        Assert.InRange(perConnection, 1, MaxBytesPerIdleConnection);
    }

    /// <summary>Opens <paramref name="count"/> connections from node, runs <paramref name="whileOpen"/>, closes them all.</summary>
    private static async Task OpenAndCloseAsync(EdgeInstance edge, int count, Func<NodeLoadClient, Task> whileOpen)
    {
        using (var node = NodeLoadClient.Start(Script, ApiEdge.WsUri(edge).ToString(), count.ToString(CultureInfo.InvariantCulture), "100"))
        {
            Assert.Equal($"READY {count}", await node.NextLineAsync(120_000));
            Assert.Contains($"edge_wsapi_connections_open{{route=\"api\"}} {count}", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
            await whileOpen(node);
            node.Send("close");
            Assert.Equal($"CLOSED {count}", await node.NextLineAsync(60_000));
        }
        await WaitForOpenAsync(edge, 0);
    }

    private static async Task WaitForOpenAsync(EdgeInstance edge, int expected)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (!(await AdminClient.GetAsync(edge, "/metrics")).Contains($"edge_wsapi_connections_open{{route=\"api\"}} {expected}\n", StringComparison.Ordinal))
        {
            Assert.True(Environment.TickCount64 < deadline, $"edge_wsapi_connections_open never reached {expected}");
            await Task.Delay(100);
        }
    }

    /// <summary>node with the script, stdin to command it, stdout read line by line.</summary>
    private sealed class NodeLoadClient : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private NodeLoadClient(Process process, string directory)
        {
            _process = process;
            _directory = directory;
        }

        public static NodeLoadClient Start(string script, params string[] args)
        {
            var directory = Directory.CreateTempSubdirectory("edge-node-load-").FullName;
            var path = Path.Combine(directory, "load.js");
            File.WriteAllText(path, script);
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, WorkingDirectory = directory };
            start.Environment["NODE_PATH"] = "/usr/share/nodejs:/usr/lib/nodejs";
            start.ArgumentList.Add(path);
            foreach (var a in args) start.ArgumentList.Add(a);
            return new NodeLoadClient(Process.Start(start)!, directory);
        }

        public void Send(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        public async Task<string> NextLineAsync(int timeoutMs)
        {
            using var timeout = new CancellationTokenSource(timeoutMs);
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException("node exited: " + await _process.StandardError.ReadToEndAsync());
                if (!line.StartsWith("ERROR", StringComparison.Ordinal)) return line;
                throw new InvalidOperationException("node client: " + line);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
