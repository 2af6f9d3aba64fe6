using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] RouteClientCertKeys = ["subjects", "issuers", "sanDns", "sanUri", "fingerprints"];

    /// <summary>An empty mapping (<c>clientCert: {}</c>) asks for any verified certificate.</summary>
    private RouteClientCertConfig? BindRouteClientCert(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'clientCert'") is not { } map) return null;
        var policy = new RouteClientCertConfig { Mark = reader.MarkOf(map) };
        bool ok = true;
        foreach (var e in reader.Entries(map, "clientCert", RouteClientCertKeys))
        {
            switch (e.Key)
            {
                case "subjects":
                    if (Strings(e, "a distinguished name such as 'CN=alice, O=Example'", DistinguishedNameProblem) is { } subjects) policy = policy with { Subjects = subjects }; else ok = false;
                    break;
                case "issuers":
                    if (Strings(e, "a distinguished name such as 'CN=Example CA'", DistinguishedNameProblem) is { } issuers) policy = policy with { Issuers = issuers }; else ok = false;
                    break;
                case "sanDns":
                    if (Strings(e, "a DNS name or *.suffix", static s => Values.HostName.TryNormalizePattern(s, out _, out var error) ? null : error) is { } dns) policy = policy with { SanDns = dns }; else ok = false;
                    break;
                case "sanUri":
                    if (Strings(e, "a URI such as spiffe://example.org/service (a trailing * matches any rest)", UriProblem) is { } uris) policy = policy with { SanUri = uris }; else ok = false;
                    break;
                case "fingerprints":
                    if (Strings(e, "a SHA-256 fingerprint: 64 hex digits, colons allowed", FingerprintProblem) is { } pins) policy = policy with { Fingerprints = pins }; else ok = false;
                    break;
            }
        }
        return ok ? policy : null;
    }

    private List<string>? Strings(YamlEntry e, string expected, Func<string, string?> problemOf)
    {
        if (reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return null;
        var list = new List<string>();
        bool ok = true;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, $"each entry of '{e.Key}'", expected)?.Trim();
            if (text is null) { ok = false; continue; }
            if (problemOf(text) is { } problem)
            {
                reader.Error(node, $"'{e.Key}': expected {expected}, got '{YamlNodeReader.Shorten(text)}': {problem}");
                ok = false;
                continue;
            }
            list.Add(text);
        }
        if (ok && list.Count == 0)
        {
            reader.Error(e.Value, $"'{e.Key}' is empty: list at least one, or leave the key out");
            return null;
        }
        return ok ? list : null;
    }

    private static string? DistinguishedNameProblem(string name)
    {
        try
        {
            return new X500DistinguishedName(name).RawData.Length > 2 ? null : "it names no attributes";
        }
        catch (CryptographicException ex)
        {
            return ex.Message;
        }
    }

    private static string? UriProblem(string uri) =>
        Uri.TryCreate(uri.TrimEnd('*'), UriKind.Absolute, out _) ? null : "not an absolute URI";

    private static string? FingerprintProblem(string hex)
    {
        var digits = hex.Replace(":", "", StringComparison.Ordinal);
        return digits.Length == 64 && digits.All(char.IsAsciiHexDigit) ? null : $"{digits.Length} hex digits";
    }
}
