namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>YAML builders for test configs: loopback listeners on port 0, access log off unless asked.</summary>
internal static class Configs
{
    public static string Proxy(string clusterBlock, string routesBlock, string limits = "  headerTimeout: 2s", string listenerExtra = "") => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:0
        {{listenerExtra}}
        admin:
          address: 127.0.0.1:0
        limits:
        {{limits}}
        routes:
        {{routesBlock}}
        clusters:
        {{clusterBlock}}
        accessLog:
          enabled: false
        """;

    /// <summary>One cluster "app" and a catch-all route "app" to it.</summary>
    public static string SingleBackend(string address, string clusterExtra = "", string limits = "  headerTimeout: 2s", string listenerExtra = "", string routeExtra = "") => Proxy(
        $"""
          - name: app
            destinations: [{address}]
        {clusterExtra}
        """,
        $"""
          - name: app
            match:
              path: /
            cluster: app
        {routeExtra}
        """,
        limits,
        listenerExtra);
}
