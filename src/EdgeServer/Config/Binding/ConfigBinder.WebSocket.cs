using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;

namespace EdgeServer.Config.Binding;

// routes[].websocket: the relay's limits for one route.
internal sealed partial class ConfigBinder
{
    private static readonly string[] WebSocketKeys =
        ["enabled", "maxFrameBytes", "maxMessageBytes", "messagesPerSecond", "messagesBurst", "idleTimeout", "pingInterval", "maxConnectionsPerIp", "maxConnectionsPerKey", "validateUtf8"];

    /// <summary>The library's hard ceiling: what a 64-bit length could claim is refused long before this.</summary>
    private const long MaxWebSocketSize = 1L << 40;

    private WebSocketConfig? BindWebSocket(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'websocket'") is not { } map) return null;
        var ws = new WebSocketConfig { Mark = reader.MarkOf(map) };
        var ok = true;
        YamlDotNet.RepresentationModel.YamlNode? pingNode = null;
        foreach (var e in reader.Entries(map, "websocket", WebSocketKeys))
        {
            switch (e.Key)
            {
                case "enabled": if (reader.Bool(e) is { } on) ws = ws with { Enabled = on }; else ok = false; break;
                case "maxFrameBytes": if (reader.Size(e, min: 1, max: MaxWebSocketSize) is { } frame) ws = ws with { MaxFrameBytes = frame }; else ok = false; break;
                case "maxMessageBytes": if (reader.Size(e, min: 1, max: MaxWebSocketSize) is { } message) ws = ws with { MaxMessageBytes = message }; else ok = false; break;
                case "messagesPerSecond": if (reader.Int(e, min: 0, max: 1_000_000) is { } rate) ws = ws with { MessagesPerSecond = rate }; else ok = false; break;
                case "messagesBurst": if (reader.Int(e, min: 1, max: 1_000_000) is { } burst) ws = ws with { MessagesBurst = burst }; else ok = false; break;
                case "idleTimeout": if (reader.Duration(e) is { } idle) ws = ws with { IdleTimeout = idle }; else ok = false; break;
                case "pingInterval":
                    pingNode = e.Value;
                    if (reader.Duration(e, allowZero: true) is { } ping) ws = ws with { PingInterval = ping }; else ok = false;
                    break;
                case "maxConnectionsPerIp": if (reader.Int(e, min: 1) is { } perIp) ws = ws with { MaxConnectionsPerIp = perIp }; else ok = false; break;
                case "maxConnectionsPerKey":
                    if (reader.Int(e, min: 1) is { } perKey) ws = ws with { MaxConnectionsPerKey = perKey, MaxConnectionsPerKeyMark = reader.MarkOf(e.Value) };
                    else ok = false;
                    break;
                case "validateUtf8": if (reader.Bool(e) is { } utf8) ws = ws with { ValidateUtf8 = utf8 }; else ok = false; break;
            }
        }
        if (!ok) return null;
        if (ws.PingInterval > TimeSpan.Zero && ws.PingInterval >= ws.IdleTimeout)
        {
            reader.Error(pingNode ?? (YamlDotNet.RepresentationModel.YamlNode)map,
                $"websocket: 'pingInterval' ({DurationValue.Format(ws.PingInterval)}) must be shorter than 'idleTimeout' ({DurationValue.Format(ws.IdleTimeout)}): a peer must have time to answer a ping before it counts as idle");
            return null;
        }
        if (ws.MaxFrameBytes > ws.MaxMessageBytes) ws = ws with { MaxFrameBytes = ws.MaxMessageBytes };
        return ws;
    }
}
