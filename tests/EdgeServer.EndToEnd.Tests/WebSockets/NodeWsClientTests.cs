using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A second, independent client implementation: node's `ws` package (Debian node-ws, found through NODE_PATH
/// /usr/share/nodejs) through the edge to the Kestrel backend. Text, a fragmented message, binary, ping/pong, close.
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

    /// <summary>Where Debian puts node modules (its node finds them itself; NodeSource's node needs NODE_PATH).</summary>
    private const string DebianNodeModules = "/usr/share/nodejs";

    [Fact]
    public async Task Node_ws_client_round_trips_through_the_relay()
    {
        Assert.True(File.Exists("/usr/bin/node") || File.Exists("/usr/bin/nodejs"), "node is missing: scripts/test.sh installs nodejs");
        Assert.True(Directory.Exists(Path.Combine(DebianNodeModules, "ws")), "node's ws package is missing: scripts/test.sh installs node-ws");
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        var script = Path.Combine(Path.GetTempPath(), $"edge-ws-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var node = File.Exists("/usr/bin/node") ? "/usr/bin/node" : "/usr/bin/nodejs";
            var (exit, stdout, stderr) = await ExternalTool.RunAsync("/usr/bin/env",
                [$"NODE_PATH={DebianNodeModules}", node, script, $"ws://{edge.Endpoint}/ws/echo"]);
            Assert.True(exit == 0, $"node exited {exit}: {stdout} {stderr}");
            using var result = JsonDocument.Parse(stdout);
            var root = result.RootElement;
            Assert.Equal("chat.v1", root.GetProperty("protocol").GetString());
            Assert.Equal("hello from node|fragmented|bin:1,2,3,250", string.Join("|", root.GetProperty("messages").EnumerateArray().Select(m => m.GetString())));
            Assert.Equal("p1", root.GetProperty("pong").GetString());
            Assert.Equal("1000 node done", root.GetProperty("close").GetString());
        }
        finally
        {
            File.Delete(script);
        }
        Assert.Equal("close 1000 node done", backend.NextEnd());
    }
}
