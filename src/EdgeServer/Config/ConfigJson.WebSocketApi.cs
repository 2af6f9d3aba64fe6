using System.Text.Json;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;

namespace EdgeServer.Config;

// routes[].webSocketApi in /config: route keys, selection, backend and limits as applied (defaults filled in).
internal static partial class ConfigJson
{
    private static void WriteWebSocketApi(WebSocketApiConfig api, Utf8JsonWriter w)
    {
        w.WriteStartObject("webSocketApi");
        if (api.RouteSelection is { } selection) w.WriteString("routeSelection", selection);
        else w.WriteNull("routeSelection");
        w.WriteStartObject("routes");
        foreach (var key in api.Routes)
        {
            w.WriteStartObject(key.Key);
            w.WriteString("path", key.Path);
            w.WriteBoolean("reply", key.Reply);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (api.Cluster is { } cluster) w.WriteString("cluster", cluster);
        else w.WriteNull("cluster");
        w.WriteString("backendTimeout", DurationValue.Format(api.BackendTimeout));
        w.WriteNumber("maxQueuedMessages", api.MaxQueuedMessages);
        var limits = api.Limits;
        w.WriteNumber("maxFrameBytes", limits.MaxFrameBytes);
        w.WriteNumber("maxMessageBytes", limits.MaxMessageBytes);
        w.WriteNumber("messagesPerSecond", limits.MessagesPerSecond);
        w.WriteNumber("messagesBurst", limits.MessagesBurst);
        w.WriteString("idleTimeout", DurationValue.Format(limits.IdleTimeout));
        w.WriteString("pingInterval", DurationValue.Format(limits.PingInterval));
        if (limits.MaxConnectionsPerIp is { } perIp) w.WriteNumber("maxConnectionsPerIp", perIp);
        else w.WriteNull("maxConnectionsPerIp");
        if (limits.MaxConnectionsPerKey is { } perKey) w.WriteNumber("maxConnectionsPerKey", perKey);
        else w.WriteNull("maxConnectionsPerKey");
        w.WriteBoolean("validateUtf8", limits.ValidateUtf8);
        w.WriteEndObject();
    }
}
