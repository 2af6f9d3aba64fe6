using System.Text.Json;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;

namespace EdgeServer.Config;

/// <summary>
/// The active config as JSON for the admin <c>/config</c> endpoint: every field, with the config file's key names
/// and value syntax (durations as "10s", sizes in bytes), plus "source" positions so an operator can find each item.
/// </summary>
/// <remarks>
/// Secrets must never reach this output. Any field that holds one (TLS private keys or their passwords, API key
/// hashes, JWT signing keys, authorizer credentials) is written through <see cref="WriteSecret"/>, which records only
/// whether the value is set. Add new secret fields there, and a test that their value does not appear in the output.
/// </remarks>
internal static partial class ConfigJson
{
    public const string RedactedValue = "<redacted>";

    /// <summary>What a secret shows as: absent stays null (so "not configured" is visible), anything else is masked.</summary>
    public static string? Redact(string? secret) => string.IsNullOrEmpty(secret) ? null : RedactedValue;

    public static void WriteSecret(Utf8JsonWriter w, string name, string? secret)
    {
        if (Redact(secret) is { } masked) w.WriteString(name, masked);
        else w.WriteNull(name);
    }

    public static void Write(EdgeConfig config, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("sourceFile", config.SourceFile);

        w.WriteStartArray("listeners");
        foreach (var l in config.Listeners)
        {
            w.WriteStartObject();
            w.WriteString("name", l.Name);
            w.WriteString("address", l.Address.ToString());
            w.WriteBoolean("trustForwardedHeaders", l.TrustForwardedHeaders);
            if (l.Tls is { } tls) WriteListenerTls(tls, w);
            WriteWaf(l.Waf, w);
            WriteRateLimitNames(l.RateLimits, w);
            WriteConnectionLimits(l.ConnectionLimits, w);
            w.WriteString("source", l.Mark.ToString());
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("admin");
        w.WriteBoolean("enabled", config.Admin.Enabled);
        w.WriteString("address", config.Admin.Address.ToString());
        w.WriteBoolean("allowPublic", config.Admin.AllowPublic);
        w.WriteEndObject();

        WriteLimits(config.Limits, w);

        w.WriteStartArray("routes");
        foreach (var r in config.Routes) WriteRoute(r, w);
        w.WriteEndArray();

        w.WriteStartArray("clusters");
        foreach (var c in config.Clusters) WriteCluster(c, w);
        w.WriteEndArray();

        w.WriteStartObject("accessLog");
        w.WriteBoolean("enabled", config.AccessLog.Enabled);
        w.WriteString("path", config.AccessLog.Path);
        w.WriteEndObject();

        w.WriteStartObject("echoBackend");
        w.WriteBoolean("enabled", config.EchoBackend.Enabled);
        w.WriteString("address", config.EchoBackend.Address.ToString());
        w.WriteEndObject();

        WriteGeo(config.Geo, w);
        WriteRateLimits(config.RateLimits, w);
        WriteRedis(config.Redis, w);

        w.WriteEndObject();
    }

    /// <summary>Convenience for tests and the CLI (`edge validate --print`).</summary>
    public static string ToJsonString(EdgeConfig config, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            Write(config, w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteLimits(LimitsConfig l, Utf8JsonWriter w)
    {
        w.WriteStartObject("limits");
        w.WriteNumber("maxRequestLineBytes", l.MaxRequestLineBytes);
        w.WriteNumber("maxHeaderBytes", l.MaxHeaderBytes);
        w.WriteNumber("maxHeaderCount", l.MaxHeaderCount);
        w.WriteNumber("maxBodyBytes", l.MaxBodyBytes);
        w.WriteString("headerTimeout", DurationValue.Format(l.HeaderTimeout));
        w.WriteString("keepAliveTimeout", DurationValue.Format(l.KeepAliveTimeout));
        w.WriteNumber("maxConnections", l.MaxConnections);
        w.WriteNumber("maxResponseHeaderBytes", l.MaxResponseHeaderBytes);
        w.WriteEndObject();
    }

    private static void WriteRoute(RouteConfig r, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        w.WriteStartObject("match");
        WriteStrings(w, "hosts", r.Hosts);
        w.WriteString("path", r.Path);
        w.WriteString("pathMatch", CamelCase(r.PathMatch.ToString()));
        WriteStrings(w, "methods", r.Methods);
        w.WriteEndObject();
        if (r.Cluster is not null) w.WriteString("cluster", r.Cluster);
        if (r.Mock is { } mock)
        {
            w.WriteStartObject("mock");
            w.WriteNumber("status", mock.Status);
            w.WriteStartObject("headers");
            foreach (var (name, value) in mock.Headers) w.WriteString(name, value);
            w.WriteEndObject();
            w.WriteString("body", mock.Body);
            w.WriteEndObject();
        }
        if (r.ClientCert is { } clientCert) WriteRouteClientCert(clientCert, w);
        WriteWaf(r.Waf, w);
        WriteRateLimitNames(r.RateLimits, w);
        if (r.WebSocket is { } ws) WriteWebSocket(ws, w);
        if (r.WebSocketApi is { } api) WriteWebSocketApi(api, w);
        if (r.MaxBodyBytes is { } max) w.WriteNumber("maxBodyBytes", max);
        else w.WriteNull("maxBodyBytes");
        w.WriteString("source", r.Mark.ToString());
        w.WriteEndObject();
    }

    private static void WriteWebSocket(WebSocketConfig ws, Utf8JsonWriter w)
    {
        w.WriteStartObject("websocket");
        w.WriteBoolean("enabled", ws.Enabled);
        w.WriteNumber("maxFrameBytes", ws.MaxFrameBytes);
        w.WriteNumber("maxMessageBytes", ws.MaxMessageBytes);
        w.WriteNumber("messagesPerSecond", ws.MessagesPerSecond);
        w.WriteNumber("messagesBurst", ws.MessagesBurst);
        w.WriteString("idleTimeout", DurationValue.Format(ws.IdleTimeout));
        w.WriteString("pingInterval", DurationValue.Format(ws.PingInterval));
        if (ws.MaxConnectionsPerIp is { } perIp) w.WriteNumber("maxConnectionsPerIp", perIp);
        else w.WriteNull("maxConnectionsPerIp");
        if (ws.MaxConnectionsPerKey is { } perKey) w.WriteNumber("maxConnectionsPerKey", perKey);
        else w.WriteNull("maxConnectionsPerKey");
        w.WriteBoolean("validateUtf8", ws.ValidateUtf8);
        w.WriteEndObject();
    }

    private static void WriteCluster(ClusterConfig c, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteStartArray("destinations");
        foreach (var d in c.Destinations) w.WriteStringValue(d.ToString());
        w.WriteEndArray();
        w.WriteString("loadBalancing", CamelCase(c.LoadBalancing.ToString()));
        w.WriteString("connectTimeout", DurationValue.Format(c.ConnectTimeout));
        w.WriteString("responseTimeout", DurationValue.Format(c.ResponseTimeout));
        w.WriteString("idleTimeout", DurationValue.Format(c.IdleTimeout));
        w.WriteNumber("maxIdlePerDestination", c.MaxIdlePerDestination);
        w.WriteNumber("maxConnectionsPerDestination", c.MaxConnectionsPerDestination);
        w.WriteStartObject("passiveHealth");
        w.WriteNumber("consecutiveFailures", c.PassiveHealth.ConsecutiveFailures);
        w.WriteString("ejectDuration", DurationValue.Format(c.PassiveHealth.EjectDuration));
        w.WriteEndObject();
        if (c.ActiveHealth is { } a)
        {
            w.WriteStartObject("activeHealth");
            w.WriteString("path", a.Path);
            w.WriteString("interval", DurationValue.Format(a.Interval));
            w.WriteString("timeout", DurationValue.Format(a.Timeout));
            w.WriteNumber("unhealthyThreshold", a.UnhealthyThreshold);
            w.WriteNumber("healthyThreshold", a.HealthyThreshold);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("activeHealth");
        }
        if (c.Tls is { } tls) WriteUpstreamTls(tls, w);
        else w.WriteNull("tls");
        w.WriteString("source", c.Mark.ToString());
        w.WriteEndObject();
    }

    private static void WriteUpstreamTls(UpstreamTlsConfig tls, Utf8JsonWriter w)
    {
        w.WriteStartObject("tls");
        w.WriteString("caBundle", tls.CaBundle);
        w.WriteBoolean("useSystemTrust", tls.UseSystemTrust);
        w.WriteString("serverName", tls.ServerName);
        w.WriteString("clientCertificate", tls.ClientCertificate);
        w.WriteString("clientKey", tls.ClientKey);
        WriteSecret(w, "clientKeyPassword", tls.ClientKeyPassword);
        // What was loaded, so an operator can see which certificate a reload picked up.
        if (tls.Material.ClientLeaf is { } leaf)
        {
            w.WriteString("clientCertificateSubject", leaf.Subject);
            w.WriteString("clientCertificateNotAfter", leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        }
        w.WriteString("handshakeTimeout", DurationValue.Format(tls.HandshakeTimeout));
        w.WriteStartArray("protocols");
        if (tls.Protocols.HasFlag(System.Security.Authentication.SslProtocols.Tls12)) w.WriteStringValue("tls1.2");
        if (tls.Protocols.HasFlag(System.Security.Authentication.SslProtocols.Tls13)) w.WriteStringValue("tls1.3");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
