namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>YAML for a TLS listener on the dev PKI, proxying every path to one backend.</summary>
internal static class TlsConfigs
{
    public static string Listener(Pki pki, string mode = "require", string clientExtra = "", string tlsExtra = "", string certificates = "") => $$"""
        listeners:
          - name: mtls
            address: 127.0.0.1:0
            tls:
              certificates:
                - cert: {{pki.File("server.crt")}}
                  key: {{pki.File("server.key")}}
        {{certificates}}
              handshakeTimeout: 2s
        {{tlsExtra}}
        {{(mode == "none" ? "" : ClientCertificates(pki, mode, clientExtra))}}
        """;

    private static string ClientCertificates(Pki pki, string mode, string clientExtra) => $$"""
              clientCertificates:
                mode: {{mode}}
                caBundles: [{{pki.File("ca.crt")}}]
                crls: [{{pki.File("ca.crl")}}]
        {{clientExtra}}
        """;

    public static string Proxy(Pki pki, string backend, string mode = "require", string clientExtra = "", string tlsExtra = "",
        string certificates = "", string routes = "") => $$"""
        {{Listener(pki, mode, clientExtra, tlsExtra, certificates)}}
        admin:
          address: 127.0.0.1:0
        limits:
          headerTimeout: 2s
        routes:
        {{routes}}
          - name: app
            match:
              path: /
            cluster: app
        clusters:
          - name: app
            destinations: [{{backend}}]
        accessLog:
          enabled: false
        """;
}
