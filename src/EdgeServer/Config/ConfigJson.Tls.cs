using System.Security.Authentication;
using System.Text.Json;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;

namespace EdgeServer.Config;

internal static partial class ConfigJson
{
    private static void WriteListenerTls(ListenerTlsConfig tls, Utf8JsonWriter w)
    {
        w.WriteStartObject("tls");
        w.WriteStartArray("certificates");
        foreach (var c in tls.Certificates)
        {
            w.WriteStartObject();
            if (c.CertificateFile is not null) w.WriteString("cert", c.CertificateFile);
            // The key file's path is not secret (its content is, and never leaves the file); the PFX password is.
            if (c.KeyFile is not null) w.WriteString("key", c.KeyFile);
            if (c.PfxFile is not null) w.WriteString("pfx", c.PfxFile);
            WriteSecret(w, "password", c.Password);
            WriteStrings(w, "hosts", c.Hosts);
            w.WriteString("source", c.Mark.ToString());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("protocols");
        if (tls.Protocols.HasFlag(SslProtocols.Tls12)) w.WriteStringValue("tls1.2");
        if (tls.Protocols.HasFlag(SslProtocols.Tls13)) w.WriteStringValue("tls1.3");
        w.WriteEndArray();
        w.WriteString("handshakeTimeout", DurationValue.Format(tls.HandshakeTimeout));
        w.WriteNumber("maxConcurrentHandshakes", tls.MaxConcurrentHandshakes);

        var client = tls.ClientCertificates;
        w.WriteStartObject("clientCertificates");
        w.WriteString("mode", CamelCase(client.Mode.ToString()));
        WriteStrings(w, "caBundles", client.CaBundles);
        WriteStrings(w, "crls", client.Crls);
        w.WriteNumber("maxChainDepth", client.MaxChainDepth);
        w.WriteBoolean("useSystemTrust", client.UseSystemTrust);
        w.WriteString("staleCrl", CamelCase(client.StaleCrl.ToString()));
        w.WriteStartObject("headers");
        w.WriteString("subject", client.Headers.Subject);
        w.WriteString("issuer", client.Headers.Issuer);
        w.WriteString("sans", client.Headers.Sans);
        w.WriteString("serial", client.Headers.Serial);
        w.WriteString("fingerprint", client.Headers.Fingerprint);
        w.WriteString("verified", client.Headers.Verified);
        w.WriteBoolean("xfcc", client.Headers.Xfcc);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRouteClientCert(RouteClientCertConfig c, Utf8JsonWriter w)
    {
        w.WriteStartObject("clientCert");
        WriteStrings(w, "subjects", c.Subjects);
        WriteStrings(w, "issuers", c.Issuers);
        WriteStrings(w, "sanDns", c.SanDns);
        WriteStrings(w, "sanUri", c.SanUri);
        WriteStrings(w, "fingerprints", c.Fingerprints);
        w.WriteEndObject();
    }
}
