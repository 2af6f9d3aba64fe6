using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>Configs for the relay tests: route "ws" relays WebSockets to one backend, with the websocket keys given.</summary>
internal static class WsConfigs
{
    public static string Relay(string backend, string websocket = "enabled: true", string extraRoutes = "", string accessLog = "") =>
        Configs.Proxy(
            $"""
              - name: app
                destinations: [{backend}]
            """,
            $$"""
              - name: ws
                match:
                  path: /
                cluster: app
                websocket: { {{websocket}} }
            {{extraRoutes}}
            """) + accessLog;
}
