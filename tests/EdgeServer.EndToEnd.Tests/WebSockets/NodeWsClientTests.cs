using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A second, independent client implementation: node's `ws` package (Debian node-ws, found through NODE_PATH
/// /usr/share/nodejs) through the edge to the Kestrel backend. Text, a fragmented message, binary, ping/pong, close;
/// and the same with permessage-deflate negotiated end to end (node compresses every message, Kestrel inflates).
/// </summary>
public sealed class NodeWsClientTests
{
    private const string Script = """
        const WebSocket = require('ws');
        const ws = new WebSocket(process.argv[2], ['chat.v1']);
        const out = { protocol: null, messages: [], pong: null, close: null };
        const expected = 3;
        ws.on('open', () => {
          out.protocol = ws.protocol;
          ws.send('hello from node');
          ws.send('frag', { fin: false });
          ws.send('mented', { fin: true });
          ws.send(Buffer.from([1, 2, 3, 250]));
        });
        ws.on('message', (data, isBinary) => {
          out.messages.push(isBinary ? 'bin:' + Array.from(data).join(',') : data.toString());
          if (out.messages.length === expected) ws.ping('p1');
        });
        ws.on('pong', (data) => { out.pong = data.toString(); ws.close(1000, 'node done'); });
        ws.on('close', (code, reason) => { out.close = code + ' ' + reason; console.log(JSON.stringify(out)); process.exit(0); });
        ws.on('error', (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });
        setTimeout(() => { console.log(JSON.stringify({ timeout: out })); process.exit(2); }, 10000);
        """;

    private const string DeflateScript = """
        const WebSocket = require('ws');
        // threshold 0: every message is compressed, however small.
        const ws = new WebSocket(process.argv[2], { perMessageDeflate: { threshold: 0 } });
        const big = 'tick EURUSD 1.0842 bïd '.repeat(10000);
        const out = { extensions: null, messages: [] };
        const expected = 4;
        ws.on('open', () => {
          out.extensions = ws.extensions;
          ws.send('hello compressed');
          ws.send('frag', { fin: false });
          ws.send('mented', { fin: true });
          ws.send(Buffer.alloc(50000, 7));
          ws.send(big);
        });
        ws.on('message', (data, isBinary) => {
          out.messages.push(isBinary ? 'bin:' + data.length + ':' + data.every(b => b === 7)
            : data.length > 1000 ? 'big:' + (data.toString() === big) : data.toString());
          if (out.messages.length === expected) ws.close(1000, 'node done');
        });
        ws.on('close', (code, reason) => { out.close = code + ' ' + reason; console.log(JSON.stringify(out)); process.exit(0); });
        ws.on('error', (e) => { console.log(JSON.stringify({ error: String(e) })); process.exit(1); });
        setTimeout(() => { console.log(JSON.stringify({ timeout: out })); process.exit(2); }, 10000);
        """;

    /// <summary>Where Debian puts node modules (its node finds them itself; NodeSource's node needs NODE_PATH).</summary>
    private const string DebianNodeModules = "/usr/share/nodejs";

    [Fact]
    public async Task Node_ws_client_round_trips_through_the_relay()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var result = await RunNodeAsync(Script, $"ws://{edge.Endpoint}/ws/echo");
        var root = result.RootElement;
        Assert.Equal("chat.v1", root.GetProperty("protocol").GetString());
        Assert.Equal("hello from node|fragmented|bin:1,2,3,250", string.Join("|", root.GetProperty("messages").EnumerateArray().Select(m => m.GetString())));
        Assert.Equal("p1", root.GetProperty("pong").GetString());
        Assert.Equal("1000 node done", root.GetProperty("close").GetString());
        Assert.Equal("close 1000 node done", backend.NextEnd());
    }

    [Fact]
    public async Task Node_ws_client_with_per_message_deflate_round_trips_compressed_through_the_relay()
    {
        await using var backend = await WsBackend.StartAsync(deflate: true);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var result = await RunNodeAsync(DeflateScript, $"ws://{edge.Endpoint}/ws/echo");
        var root = result.RootElement;
        Assert.StartsWith("permessage-deflate", root.GetProperty("extensions").GetString());
        Assert.Equal("hello compressed|fragmented|bin:50000:true|big:true", string.Join("|", root.GetProperty("messages").EnumerateArray().Select(m => m.GetString())));
        Assert.Equal("1000 node done", root.GetProperty("close").GetString());
        Assert.Equal("close 1000 node done", backend.NextEnd());
        // Kestrel inflated what node compressed: the payload sizes it decoded.
        Assert.Equal([16, 10, 50000, 240000], backend.Received.Select(m => m.Length).ToArray());

        // ~300 KB of messages each way, a few KiB on the wire: the relay carried the compressed frames as they were.
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        var wire = System.Text.RegularExpressions.Regex.Match(metrics, "edge_websocket_bytes_total\\{route=\"ws\",direction=\"client\"\\} ([0-9]+)");
        Assert.True(wire.Success);
        Assert.InRange(long.Parse(wire.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 30_000);
        Assert.DoesNotContain("edge_websocket_violations_total{", metrics);
    }

    /// <summary>Runs a node script with the edge's URL as its argument; its stdout is one JSON line.</summary>
    private static async Task<JsonDocument> RunNodeAsync(string source, string url)
    {
        Assert.True(File.Exists("/usr/bin/node") || File.Exists("/usr/bin/nodejs"), "node is missing: scripts/test.sh installs nodejs");
        Assert.True(Directory.Exists(Path.Combine(DebianNodeModules, "ws")), "node's ws package is missing: scripts/test.sh installs node-ws");
        var script = Path.Combine(Path.GetTempPath(), $"edge-ws-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, source);
        try
        {
            var node = File.Exists("/usr/bin/node") ? "/usr/bin/node" : "/usr/bin/nodejs";
            var (exit, stdout, stderr) = await ExternalTool.RunAsync("/usr/bin/env", [$"NODE_PATH={DebianNodeModules}", node, script, url]);
            Assert.True(exit == 0, $"node exited {exit}: {stdout} {stderr}");
            return JsonDocument.Parse(stdout);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
