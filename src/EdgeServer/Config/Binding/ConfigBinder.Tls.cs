using System.Security.Authentication;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Tls;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] TlsKeys = ["certificates", "protocols", "handshakeTimeout", "maxConcurrentHandshakes", "clientCertificates"];
    private static readonly string[] CertificateKeys = ["cert", "key", "pfx", "password", "hosts"];
    private static readonly string[] ClientCertificateKeys = ["mode", "caBundles", "crls", "maxChainDepth", "useSystemTrust", "staleCrl", "headers"];
    private static readonly string[] IdentityHeaderKeys = ["subject", "issuer", "sans", "serial", "fingerprint", "verified", "xfcc"];

    private ListenerTlsConfig? BindListenerTls(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'tls'") is not { } map) return null;
        var mark = reader.MarkOf(map);
        var tls = new ListenerTlsConfig { Certificates = [], Mark = mark };
        var files = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
        bool ok = true, certificatesSeen = false;
        foreach (var e in reader.Entries(map, "tls", TlsKeys))
        {
            switch (e.Key)
            {
                case "certificates":
                    certificatesSeen = true;
                    var certificates = BindList(e, "certificate", m => BindServerCertificate(m, files));
                    ok &= reader.Sequence(e.Value, "'certificates'") is { } seq && certificates.Count == seq.Children.Count;
                    tls = tls with { Certificates = certificates };
                    break;
                case "protocols":
                    if (BindProtocols(e) is { } protocols) tls = tls with { Protocols = protocols }; else ok = false;
                    break;
                case "handshakeTimeout":
                    if (reader.Duration(e) is { } timeout) tls = tls with { HandshakeTimeout = timeout }; else ok = false;
                    break;
                case "maxConcurrentHandshakes":
                    if (reader.Int(e, min: 1) is { } max) tls = tls with { MaxConcurrentHandshakes = max }; else ok = false;
                    break;
                case "clientCertificates":
                    if (BindClientCertificates(e, files) is { } client) tls = tls with { ClientCertificates = client }; else ok = false;
                    break;
            }
        }
        if (!certificatesSeen || tls.Certificates.Count == 0)
        {
            reader.Error(mark, "tls needs 'certificates': at least one server certificate (cert and key, or pfx); the first is the default");
            return null;
        }
        if (!ok) return null;
        // Load every file now, so `edge validate` and a reload refuse a bad certificate, key, bundle or CRL
        // before anything runs with it.
        try
        {
            TlsMaterial.Load(tls, TimeProvider.System, TlsServerStream.Validate);
        }
        catch (TlsFileException ex)
        {
            // The message names the file; report it where the config names that file (longest path first: one may prefix another).
            var at = files.Where(f => ex.Message.Contains(f.Key, StringComparison.Ordinal)).OrderByDescending(f => f.Key.Length)
                .Select(f => f.Value).DefaultIfEmpty(mark).First();
            reader.Error(at, ex.Message);
            return null;
        }
        return tls;
    }

    private ServerCertificateConfig? BindServerCertificate(YamlMappingNode map, Dictionary<string, SourceMark> files)
    {
        var mark = reader.MarkOf(map);
        var certificate = new ServerCertificateConfig { Mark = mark };
        bool ok = true;
        foreach (var e in reader.Entries(map, "certificate", CertificateKeys))
        {
            switch (e.Key)
            {
                case "cert": certificate = certificate with { CertificateFile = File(e, files) }; ok &= certificate.CertificateFile is not null; break;
                case "key": certificate = certificate with { KeyFile = File(e, files) }; ok &= certificate.KeyFile is not null; break;
                case "pfx": certificate = certificate with { PfxFile = File(e, files) }; ok &= certificate.PfxFile is not null; break;
                case "password": certificate = certificate with { Password = reader.String(e) }; break;
                case "hosts":
                    if (BindHosts(e) is { } hosts) certificate = certificate with { Hosts = hosts }; else ok = false;
                    break;
            }
        }
        var pem = certificate.CertificateFile is not null || certificate.KeyFile is not null;
        if (pem && certificate.PfxFile is not null)
        {
            reader.Error(mark, "certificate has both 'pfx' and 'cert'/'key'; give one of them");
            return null;
        }
        if (certificate.PfxFile is null && certificate.CertificateFile is null)
        {
            if (ok) reader.Error(mark, "certificate needs 'cert' (PEM, with 'key' unless the key is in the same file), or 'pfx'");
            return null;
        }
        return ok ? certificate : null;
    }

    private ClientCertificateConfig? BindClientCertificates(YamlEntry section, Dictionary<string, SourceMark> files)
    {
        if (reader.Mapping(section.Value, "'clientCertificates'") is not { } map) return null;
        var mark = reader.MarkOf(map);
        var client = new ClientCertificateConfig { Mark = mark };
        bool ok = true;
        SourceMark crlsMark = mark;
        foreach (var e in reader.Entries(map, "clientCertificates", ClientCertificateKeys))
        {
            switch (e.Key)
            {
                case "mode":
                    if (reader.Enum<ClientCertificateMode>(e) is { } mode) client = client with { Mode = mode }; else ok = false;
                    break;
                case "caBundles":
                    if (FileList(e, files) is { } bundles) client = client with { CaBundles = bundles }; else ok = false;
                    break;
                case "crls":
                    crlsMark = reader.MarkOf(e.Value);
                    if (FileList(e, files) is { } crls) client = client with { Crls = crls }; else ok = false;
                    break;
                case "maxChainDepth":
                    if (reader.Int(e, min: 1, max: 16) is { } depth) client = client with { MaxChainDepth = depth }; else ok = false;
                    break;
                case "useSystemTrust":
                    if (reader.Bool(e) is { } system) client = client with { UseSystemTrust = system }; else ok = false;
                    break;
                case "staleCrl":
                    if (reader.Enum<StaleCrlPolicy>(e) is { } stale) client = client with { StaleCrl = stale }; else ok = false;
                    break;
                case "headers":
                    if (BindIdentityHeaders(e) is { } headers) client = client with { Headers = headers }; else ok = false;
                    break;
            }
        }
        if (!ok) return null;
        if (client.Mode != ClientCertificateMode.None && client.CaBundles.Count == 0 && !client.UseSystemTrust)
        {
            reader.Error(mark, $"clientCertificates mode '{client.Mode.ToString().ToLowerInvariant()}' needs 'caBundles' (the CAs client certificates must chain to), or useSystemTrust: true");
            return null;
        }
        if (client.Mode == ClientCertificateMode.None && client.Crls.Count > 0)
        {
            reader.Error(crlsMark, "'crls' has no effect with mode 'none': set mode to optional or require, or remove them");
            return null;
        }
        return client;
    }

    private ClientIdentityHeadersConfig? BindIdentityHeaders(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'headers'") is not { } map) return null;
        var headers = new ClientIdentityHeadersConfig();
        bool ok = true;
        foreach (var e in reader.Entries(map, "headers", IdentityHeaderKeys))
        {
            if (e.Key == "xfcc")
            {
                if (reader.Bool(e) is { } xfcc) headers = headers with { Xfcc = xfcc }; else ok = false;
                continue;
            }
            // "off" (or no value) turns a header off; anything else must be a header name.
            string? name = null;
            if (e.Value is not YamlScalarNode scalar || !YamlNodeReader.IsNull(scalar))
            {
                name = reader.String(e, "a header name, or off");
                if (name is null) { ok = false; continue; }
                name = name.Trim();
                if (name.Equals("off", StringComparison.OrdinalIgnoreCase)) name = null;
                else if (!HttpSyntax.IsToken(name))
                {
                    reader.Error(e.Value, $"'{e.Key}': expected a header name (letters, digits and !#$%&'*+-.^_`|~) or off, got '{YamlNodeReader.Shorten(name)}'");
                    ok = false;
                    continue;
                }
            }
            headers = e.Key switch
            {
                "subject" => headers with { Subject = name },
                "issuer" => headers with { Issuer = name },
                "sans" => headers with { Sans = name },
                "serial" => headers with { Serial = name },
                "fingerprint" => headers with { Fingerprint = name },
                _ => headers with { Verified = name },
            };
        }
        return ok ? headers : null;
    }

    private SslProtocols? BindProtocols(YamlEntry e)
    {
        if (reader.Sequence(e.Value, "'protocols'") is not { } seq) return null;
        var protocols = SslProtocols.None;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, "each protocol", "tls1.2 or tls1.3");
            switch (text?.Trim().ToLowerInvariant())
            {
                case null: return null;
                case "tls1.2": protocols |= SslProtocols.Tls12; break;
                case "tls1.3": protocols |= SslProtocols.Tls13; break;
                default:
                    reader.Error(node, $"protocol: expected tls1.2 or tls1.3 (older versions are broken and not offered), got '{YamlNodeReader.Shorten(text)}'");
                    return null;
            }
        }
        if (protocols == SslProtocols.None)
        {
            reader.Error(e.Value, "'protocols': expected at least one of tls1.2, tls1.3");
            return null;
        }
        return protocols;
    }

    private List<string>? FileList(YamlEntry e, Dictionary<string, SourceMark> files)
    {
        if (reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return null;
        var list = new List<string>();
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, $"each entry of '{e.Key}'", "a file path");
            if (string.IsNullOrWhiteSpace(text)) return null;
            var path = ConfigPath.Resolve(reader.File, text.Trim());
            files.TryAdd(path, reader.MarkOf(node));
            list.Add(path);
        }
        return list;
    }

    private string? File(YamlEntry e, Dictionary<string, SourceMark> files)
    {
        var text = reader.NonEmptyString(e, "a file path");
        if (text is null) return null;
        var path = ConfigPath.Resolve(reader.File, text);
        files.TryAdd(path, reader.MarkOf(e.Value));
        return path;
    }
}
