using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls;

/// <summary>
/// The DNS names and URIs of a certificate's subjectAltName. The BCL's X509SubjectAlternativeNameExtension
/// enumerates DNS names and IP addresses but not URIs, and URIs are what SPIFFE identities live in.
/// </summary>
internal static class SubjectAlternativeNames
{
    private const string SanOid = "2.5.29.17";
    private static readonly Asn1Tag s_dnsName = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag s_uri = new(TagClass.ContextSpecific, 6);

    public static (string[] Dns, string[] Uris) Read(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[SanOid];
        if (extension is null) return ([], []);
        var dns = new List<string>();
        var uris = new List<string>();
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(s_dnsName)) dns.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, s_dnsName));
                else if (tag.HasSameClassAndValue(s_uri)) uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, s_uri));
                else names.ReadEncodedValue();
            }
        }
        catch (AsnContentException)
        {
            // A malformed SAN yields no names: a policy that needs one then refuses, which is the safe side.
            return ([], []);
        }
        return ([.. dns], [.. uris]);
    }
}
