using System.Text;

namespace EdgeServer.Tls;

/// <summary>
/// Envoy's X-Forwarded-Client-Cert element for one certificate: Hash, Subject, URI and DNS pairs joined by
/// ';'. Values holding ',', ';', '=' or '"' are quoted with inner quotes backslash-escaped, and Subject is
/// always quoted, as Envoy writes it, so existing XFCC parsers read ours unchanged.
/// </summary>
internal static class ForwardedClientCert
{
    public static string Format(ClientIdentity identity)
    {
        var sb = new StringBuilder();
        sb.Append("Hash=").Append(identity.Sha256);
        sb.Append(";Subject=").Append(Quote(identity.Subject));
        foreach (var uri in identity.Uris) sb.Append(";URI=").Append(QuoteIfNeeded(uri));
        foreach (var dns in identity.DnsNames) sb.Append(";DNS=").Append(QuoteIfNeeded(dns));
        return sb.ToString();
    }

    private static string QuoteIfNeeded(string value) =>
        value.AsSpan().IndexOfAny(",;=\"") >= 0 ? Quote(value) : value;

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
