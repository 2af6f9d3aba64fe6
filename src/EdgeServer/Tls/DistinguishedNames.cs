using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls;

/// <summary>
/// Distinguished names in one comparable form: each RDN as "oid=value" (value lower-cased), in encoding
/// order. Operators write DNs in both orders (openssl prints "O=.., CN=..", .NET and RFC 4514 "CN=.., O=..")
/// and in any case and spacing; they all land on the same key.
/// </summary>
internal static class DistinguishedNames
{
    public static string Canonical(X500DistinguishedName name)
    {
        var parts = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            var value = rdn.HasMultipleElements ? Convert.ToHexString(rdn.RawData.Span) : rdn.GetSingleElementValue() ?? "";
            var type = rdn.HasMultipleElements ? "multi" : rdn.GetSingleElementType().Value;
            parts.Add($"{type}={value.Trim().ToLowerInvariant()}");
        }
        return string.Join(",", parts);
    }

    /// <summary>Both orders of a configured DN, since the config does not say which one the operator meant.</summary>
    public static (string AsWritten, string Reversed) CanonicalBothOrders(string configured)
    {
        var forward = Canonical(new X500DistinguishedName(configured, X500DistinguishedNameFlags.None));
        var reversed = Canonical(new X500DistinguishedName(configured, X500DistinguishedNameFlags.Reversed));
        return (forward, reversed);
    }
}
