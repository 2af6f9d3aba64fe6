using System.Net;
using System.Security.Authentication;
using EdgeServer.Config.Model;
using EdgeServer.Config.Tls;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] UpstreamTlsKeys =
    [
        "caBundle", "useSystemTrust", "serverName", "clientCertificate", "clientKey", "clientKeyPassword", "handshakeTimeout", "protocols",
    ];

    private const string ProtocolsExpected = "a list of tls1.2 and/or tls1.3";

    /// <summary>
    /// A cluster's 'tls' block. The files it names are read here, at load time, so a missing file, a bad
    /// PEM or a key that belongs to another certificate is a config error at the key that named it (and
    /// refuses a reload) rather than a failed handshake later.
    /// </summary>
    private UpstreamTlsConfig? BindUpstreamTls(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'tls'") is not { } map) return null;
        var tls = new UpstreamTlsConfig();
        YamlNode? caNode = null, systemTrustNode = null, certificateNode = null, keyNode = null, passwordNode = null;
        var ok = true;
        foreach (var e in reader.Entries(map, "tls", UpstreamTlsKeys))
        {
            switch (e.Key)
            {
                case "caBundle": caNode = e.Value; ok &= Set(reader.NonEmptyString(e, "a PEM file of CA certificates"), v => tls = tls with { CaBundle = v }); break;
                case "useSystemTrust": systemTrustNode = e.Value; ok &= Set(reader.Bool(e), v => tls = tls with { UseSystemTrust = v }); break;
                case "serverName": ok &= Set(ServerName(e), v => tls = tls with { ServerName = v }); break;
                case "clientCertificate": certificateNode = e.Value; ok &= Set(reader.NonEmptyString(e, "a PEM or .pfx certificate file"), v => tls = tls with { ClientCertificate = v }); break;
                case "clientKey": keyNode = e.Value; ok &= Set(reader.NonEmptyString(e, "a PEM private key file"), v => tls = tls with { ClientKey = v }); break;
                case "clientKeyPassword": passwordNode = e.Value; ok &= Set(reader.String(e), v => tls = tls with { ClientKeyPassword = v }); break;
                case "handshakeTimeout": ok &= Set(reader.Duration(e), v => tls = tls with { HandshakeTimeout = v }); break;
                case "protocols": ok &= Set(Protocols(e), v => tls = tls with { Protocols = v }); break;
            }
        }

        if (tls.CaBundle is null && !tls.UseSystemTrust && caNode is null)
        {
            reader.Error(map, "'tls' needs 'caBundle' (a PEM file of the CAs the backend's certificate must chain to) or 'useSystemTrust: true'");
            ok = false;
        }
        if (tls.CaBundle is not null && tls.UseSystemTrust)
        {
            reader.Error(systemTrustNode!, "'useSystemTrust: true' and 'caBundle' exclude each other: trust either the bundle or the system store");
            ok = false;
        }
        if (tls.ClientCertificate is null && certificateNode is null)
        {
            if (keyNode is not null) { reader.Error(keyNode, "'clientKey' needs 'clientCertificate'"); ok = false; }
            if (passwordNode is not null) { reader.Error(passwordNode, "'clientKeyPassword' needs 'clientCertificate'"); ok = false; }
        }
        if (tls.ClientCertificate is { } pfx && CertificateKeyLoader.IsPkcs12(pfx) && keyNode is not null)
        {
            reader.Error(keyNode, "'clientKey' is for PEM certificates; a .pfx/.p12 carries its own key (remove 'clientKey')");
            ok = false;
        }
        if (!ok) return null;
        return LoadTlsFiles(tls, caNode, certificateNode, keyNode);
    }

    private UpstreamTlsConfig? LoadTlsFiles(UpstreamTlsConfig tls, YamlNode? caNode, YamlNode? certificateNode, YamlNode? keyNode)
    {
        using var files = new TlsFileReader(Values.ConfigPath.DirectoryOf(reader.File));
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? roots = null;
        var ok = true;
        if (tls.CaBundle is { } bundle)
        {
            roots = TrustBundle.Load(files, bundle, out var error);
            if (roots is null) { reader.Error(caNode!, $"'caBundle': {error}"); ok = false; }
        }
        System.Net.Security.SslStreamCertificateContext? context = null;
        System.Security.Cryptography.X509Certificates.X509Certificate2? leaf = null;
        if (tls.ClientCertificate is { } certificate)
        {
            leaf = CertificateKeyLoader.UpstreamClient.Load(files, certificate, tls.ClientKey, tls.ClientKeyPassword, out var chain, out var problem, out var error);
            // offline: the intermediates must come from the file; nothing is fetched at load or handshake time.
            if (leaf is not null) context = System.Net.Security.SslStreamCertificateContext.Create(leaf, chain, offline: true);
            else
            {
                var (node, key) = problem == CertificateKeyProblem.Key && keyNode is not null ? (keyNode, "clientKey") : (certificateNode!, "clientCertificate");
                reader.Error(node, $"'{key}': {error}");
                ok = false;
            }
        }
        return ok ? tls with { Material = new UpstreamTlsMaterial(roots, context, leaf, files.Fingerprint()) } : null;
    }

    /// <summary>A DNS name (sent as SNI and verified), or an IP literal (verified against IP SANs; no SNI).</summary>
    private string? ServerName(YamlEntry e)
    {
        const string expected = "a DNS name such as backend.internal, or an IP address";
        var name = reader.NonEmptyString(e, expected);
        if (name is null) return null;
        if (IPAddress.TryParse(name, out _) || (HostName.IsDnsName(name) && !HostName.LooksNumeric(name))) return name;
        reader.Error(e.Value, $"'{e.Key}': expected {expected}, got '{YamlNodeReader.Shorten(name)}'");
        return null;
    }

    private SslProtocols? Protocols(YamlEntry e)
    {
        if (reader.Sequence(e.Value, "'protocols'") is not { } seq) return null;
        if (seq.Children.Count == 0)
        {
            reader.Error(seq, $"'protocols': expected {ProtocolsExpected}, got an empty list");
            return null;
        }
        var protocols = SslProtocols.None;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, "each protocol", "tls1.2 or tls1.3");
            SslProtocols? one = text?.Trim().ToLowerInvariant() switch
            {
                "tls1.2" => SslProtocols.Tls12,
                "tls1.3" => SslProtocols.Tls13,
                _ => null,
            };
            if (one is null)
            {
                // Older versions are left out on purpose: TLS 1.0/1.1 are deprecated (RFC 8996).
                if (text is not null) reader.Error(node, $"protocol: expected tls1.2 or tls1.3, got '{YamlNodeReader.Shorten(text)}'");
                return null;
            }
            if ((protocols & one.Value) != 0)
            {
                reader.Error(node, $"protocol '{text!.Trim()}' is listed twice");
                return null;
            }
            protocols |= one.Value;
        }
        return protocols;
    }

    /// <summary>Applies a value that was read successfully; false when the read reported an error.</summary>
    private static bool Set<T>(T? value, Action<T> apply) where T : class
    {
        if (value is null) return false;
        apply(value);
        return true;
    }

    private static bool Set<T>(T? value, Action<T> apply) where T : struct
    {
        if (value is null) return false;
        apply(value.Value);
        return true;
    }
}
