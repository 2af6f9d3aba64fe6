using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// Reads a DER CertificateList (RFC 5280 §5.1) field by field. It remembers which field it is in, so a failure
/// says where, and turns every decoding failure into <see cref="CrlFormatException"/>.
/// </summary>
internal sealed class CrlParser
{
    private const string CrlNumberOid = "2.5.29.20";
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";
    private const string DeltaCrlIndicatorOid = "2.5.29.27";
    private const string IssuingDistributionPointOid = "2.5.29.28";
    private const string CertificateIssuerOid = "2.5.29.29";

    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag KeyIdentifierTag = new(TagClass.ContextSpecific, 0);

    private readonly string _source;
    private string _field = "CertificateList";

    private CrlParser(string source) => _source = source;

    public static CertificateRevocationList Parse(byte[] der, string source)
    {
        var parser = new CrlParser(source);
        try
        {
            return parser.Read(der);
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or OverflowException)
        {
            throw new CrlFormatException($"{source}: malformed CRL at {parser._field}: {ex.Message}", ex);
        }
    }

    private CertificateRevocationList Read(byte[] der)
    {
        var top = new AsnReader(der, AsnEncodingRules.DER);
        var certificateList = top.ReadSequence();
        Expect(!top.HasData, "data after the end of the CRL");

        _field = "tbsCertList";
        var tbsEncoded = certificateList.ReadEncodedValue();
        _field = "signatureAlgorithm";
        var outerAlgorithm = certificateList.ReadEncodedValue();
        _field = "signatureValue";
        var signature = certificateList.ReadBitString(out var unusedBits);
        Expect(unusedBits == 0, "the signature is not a whole number of bytes");
        _field = "CertificateList";
        certificateList.ThrowIfNotEmpty();

        _field = "tbsCertList";
        var tbsOuter = new AsnReader(tbsEncoded, AsnEncodingRules.DER);
        var tbs = tbsOuter.ReadSequence();

        _field = "tbsCertList.version";
        var v2 = false;
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            Expect(tbs.TryReadInt32(out var version) && version == 1, "only version 2 CRLs carry a version, and it must be 1 (v2)");
            v2 = true;
        }

        _field = "tbsCertList.signature";
        var innerAlgorithm = tbs.ReadEncodedValue();
        Expect(innerAlgorithm.Span.SequenceEqual(outerAlgorithm.Span), "differs from the outer signatureAlgorithm");
        var algorithm = CrlSignatureAlgorithm.Read(innerAlgorithm);

        _field = "tbsCertList.issuer";
        Expect(tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence), "expected a Name (SEQUENCE)");
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        _ = issuer.Name;   // decode now, so a broken name fails here and not in a consumer's log line

        _field = "tbsCertList.thisUpdate";
        var thisUpdate = ReadTime(tbs);
        _field = "tbsCertList.nextUpdate";
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;

        _field = "tbsCertList.revokedCertificates";
        var revoked = new HashSet<byte[]>(SerialNumberComparer.Instance);
        var count = 0;
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                _field = $"tbsCertList.revokedCertificates[{count}]";
                ReadEntry(entries, revoked, v2);
                count++;
            }
        }

        BigInteger? crlNumber = null;
        byte[]? authorityKeyIdentifier = null;
        if (tbs.HasData)
        {
            _field = "tbsCertList.crlExtensions";
            Expect(v2, "extensions need a version 2 CRL");
            var explicitExtensions = tbs.ReadSequence(ExtensionsTag);
            var extensions = explicitExtensions.ReadSequence();
            explicitExtensions.ThrowIfNotEmpty();
            ReadCrlExtensions(extensions, ref crlNumber, ref authorityKeyIdentifier);
        }
        _field = "tbsCertList";
        tbs.ThrowIfNotEmpty();
        tbsOuter.ThrowIfNotEmpty();

        return new CertificateRevocationList(issuer, thisUpdate, nextUpdate, crlNumber, authorityKeyIdentifier,
            revoked, count, tbsEncoded, algorithm, signature);
    }

    private void ReadEntry(AsnReader entries, HashSet<byte[]> revoked, bool v2)
    {
        var entry = entries.ReadSequence();
        var serial = entry.ReadIntegerBytes();
        revoked.Add(SerialNumberComparer.Normalize(serial.Span).ToArray());
        ReadTime(entry);
        if (entry.HasData)
        {
            Expect(v2, "entry extensions need a version 2 CRL");
            var field = _field;
            ForEachExtension(entry.ReadSequence(), (oid, critical, _) =>
            {
                // certificateIssuer makes the CRL indirect: following entries belong to another CA.
                if (oid == CertificateIssuerOid) Fail(field, "indirect CRLs (certificateIssuer entry extension) are not supported");
                if (critical) Fail(field, $"unsupported critical entry extension {oid}");
            });
        }
        entry.ThrowIfNotEmpty();
    }

    private void ReadCrlExtensions(AsnReader extensions, ref BigInteger? crlNumber, ref byte[]? authorityKeyIdentifier)
    {
        BigInteger? number = null;
        byte[]? keyId = null;
        var field = _field;
        ForEachExtension(extensions, (oid, critical, value) =>
        {
            switch (oid)
            {
                case CrlNumberOid:
                {
                    var reader = new AsnReader(value, AsnEncodingRules.DER);
                    number = reader.ReadInteger();
                    reader.ThrowIfNotEmpty();
                    break;
                }
                case AuthorityKeyIdentifierOid:
                {
                    var reader = new AsnReader(value, AsnEncodingRules.DER);
                    var aki = reader.ReadSequence();
                    reader.ThrowIfNotEmpty();
                    if (aki.HasData && aki.PeekTag().HasSameClassAndValue(KeyIdentifierTag))
                        keyId = aki.ReadOctetString(KeyIdentifierTag);
                    break;
                }
                case DeltaCrlIndicatorOid:
                    Fail(field, "delta CRLs are not supported");
                    break;
                case IssuingDistributionPointOid when critical:
                    // It may scope the CRL to some certificates or reasons, or make it indirect; treating such
                    // a CRL as complete could miss a revocation.
                    Fail(field, "CRLs with an issuing distribution point are not supported");
                    break;
                default:
                    if (critical) Fail(field, $"unsupported critical extension {oid}");
                    break;
            }
        });
        crlNumber = number;
        authorityKeyIdentifier = keyId;
    }

    private static void ForEachExtension(AsnReader extensions, Action<string, bool, ReadOnlyMemory<byte>> handle)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            if (!seen.Add(oid)) throw new AsnContentException($"extension {oid} appears twice");
            handle(oid, critical, value);
        }
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private DateTimeOffset ReadTime(AsnReader reader)
    {
        var tag = reader.PeekTag();
        Expect(IsTime(tag), "expected a UTCTime or GeneralizedTime");
        // RFC 5280 §4.1.2.5.1: two-digit years 50-99 are 19xx, 00-49 are 20xx.
        return tag.HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime(twoDigitYearMax: 2049) : reader.ReadGeneralizedTime();
    }

    private void Expect(bool condition, string problem)
    {
        if (!condition) Fail(_field, problem);
    }

    private void Fail(string field, string problem) => throw new CrlFormatException($"{_source}: {field}: {problem}");
}
