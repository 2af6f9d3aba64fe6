using System.Diagnostics;
using System.Net;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using static EdgeServer.EndToEnd.Tests.WebSocketApi.ApiEdge;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>
/// A second client implementation, node's `ws` package (Debian node-ws), against the WebSocket API: round trip
/// through a custom route, the edge's pings answered across an idle spell, pushes, the client's own close code
/// reaching $disconnect, and a refused $connect seen as the HTTP status.
/// </summary>
public sealed class NodeWsClientTests
{
    /// <summary>Prints what happens, one line per event; closes with 4002 when told "close-please".</summary>
    private const string Script = """
        const WebSocket = require('ws');
        const [url, reject] = process.argv.slice(2);
        const headers = { 'X-Client': 'node-ws' };
        if (reject) headers['X-Reject'] = reject;
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => { console.log('OPEN'); ws.send(JSON.stringify({ action: 'echo', from: 'node' })); });
        ws.on('ping', () => console.log('PING'));
        ws.on('message', (data, isBinary) => {
          const text = data.toString();
          console.log('MSG ' + (isBinary ? 'binary ' : 'text ') + text);
          if (text === 'close-please') ws.close(4002, 'node done');
        });
        ws.on('close', (code) => { console.log('CLOSE ' + code); process.exit(0); });
        ws.on('unexpected-response', (req, res) => { console.log('REFUSED ' + res.statusCode); process.exit(0); });
        ws.on('error', (e) => { console.log('ERROR ' + e.message); process.exit(1); });
        """;

    [Fact]
    public async Task Node_ws_round_trip_pings_push_and_close_code_to_disconnect()
    {
        await using var backend = await ApiBackend.StartAsync();
        var config = EdgeConfig(backend.Address, "      idleTimeout: 3s").Replace("pingInterval: 0s", "pingInterval: 1s", StringComparison.Ordinal);
        await using var edge = await EdgeInstance.StartAsync(config);
        using var node = NodeClient.Start(Script, WsUri(edge).ToString());

        Assert.Equal("OPEN", await node.NextLineAsync());
        Assert.Equal("""MSG text echo:{"action":"echo","from":"node"}""", await node.NextLineAsync());
        var connect = await backend.WaitForAsync(c => c.EventType == "CONNECT" && c.Headers.GetValueOrDefault("X-Client") == "node-ws");
        var id = connect.ConnectionId;

        // Quiet for longer than idleTimeout: the edge's pings (answered by ws's automatic pongs) keep it open.
        await Task.Delay(4000);
        using var admin = AdminHttp(edge);
        using (var push = await admin.PostAsync($"/@connections/{id}", new StringContent("hello from the backend")))
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        Assert.Equal("MSG text hello from the backend", await node.NextLineNotAsync("PING"));
        using (var push = await admin.PostAsync($"/@connections/{id}", new StringContent("close-please")))
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        Assert.Equal("MSG text close-please", await node.NextLineNotAsync("PING"));
        Assert.Equal("CLOSE 4002", await node.NextLineNotAsync("PING"));
        Assert.Contains("PING", node.Seen);

        var disconnect = await backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
        Assert.Equal("4002", disconnect.Headers["X-Edge-Close-Code"]);
    }

    [Fact]
    public async Task Node_ws_sees_the_connect_backend_s_refusal_status()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address));
        using var node = NodeClient.Start(Script, WsUri(edge).ToString(), "401");
        Assert.Equal("REFUSED 401", await node.NextLineAsync());
    }

    /// <summary>node with the script, its stdout read line by line.</summary>
    private sealed class NodeClient : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;
        private readonly List<string> _seen = [];

        private NodeClient(Process process, string directory)
        {
            _process = process;
            _directory = directory;
        }

        public IReadOnlyList<string> Seen => _seen;

        public static NodeClient Start(string script, params string[] args)
        {
            var directory = Directory.CreateTempSubdirectory("edge-node-ws-").FullName;
            var path = Path.Combine(directory, "client.js");
            File.WriteAllText(path, script);
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
            start.Environment["NODE_PATH"] = "/usr/share/nodejs:/usr/lib/nodejs";
            start.ArgumentList.Add(path);
            foreach (var a in args) start.ArgumentList.Add(a);
            return new NodeClient(Process.Start(start)!, directory);
        }

        public async Task<string> NextLineAsync(int timeoutMs = 10_000)
        {
            using var timeout = new CancellationTokenSource(timeoutMs);
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("node exited: " + await _process.StandardError.ReadToEndAsync());
            _seen.Add(line);
            return line;
        }

        public async Task<string> NextLineNotAsync(string skip)
        {
            while (true)
            {
                var line = await NextLineAsync();
                if (line != skip) return line;
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
