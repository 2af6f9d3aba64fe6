using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tests.Tls;

/// <summary>
/// Writes CRLs field by field with AsnWriter, for the shapes no real tool will make on request: v1 CRLs,
/// GeneralizedTime, unknown critical extensions, delta and indirect CRLs, unsupported algorithms.
/// Signs with the issuer's ECDSA key so the signature is real.
/// </summary>
internal sealed class CrlForge
{
    public const string EcdsaSha256 = "1.2.840.10045.4.3.2";

    public int? Version { get; init; } = 1;

    public string TbsAlgorithm { get; init; } = EcdsaSha256;

    public string OuterAlgorithm { get; init; } = EcdsaSha256;

    public bool GeneralizedTimes { get; init; }

    public bool WithNextUpdate { get; init; } = true;

    public List<(byte[] Serial, (string Oid, bool Critical, byte[] Value)[] Extensions)> Entries { get; } = [];

    public List<(string Oid, bool Critical, byte[] Value)> Extensions { get; } = [];

    public static byte[] Integer(long value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode();
    }

    public byte[] Sign(X509Certificate2 issuer, DateTimeOffset thisUpdate)
    {
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            if (Version is { } version) tbs.WriteInteger(version);
            WriteAlgorithm(tbs, TbsAlgorithm);
            tbs.WriteEncodedValue(issuer.SubjectName.RawData);
            WriteTime(tbs, thisUpdate);
            if (WithNextUpdate) WriteTime(tbs, thisUpdate.AddDays(1));
            if (Entries.Count > 0)
            {
                using (tbs.PushSequence())
                {
                    foreach (var (serial, extensions) in Entries)
                    {
                        using (tbs.PushSequence())
                        {
                            tbs.WriteIntegerUnsigned(serial);
                            WriteTime(tbs, thisUpdate);
                            if (extensions.Length > 0) WriteExtensions(tbs, extensions);
                        }
                    }
                }
            }
            if (Extensions.Count > 0)
            {
                using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    WriteExtensions(tbs, Extensions);
                }
            }
        }
        var tbsBytes = tbs.Encode();
        using var key = issuer.GetECDsaPrivateKey()!;
        var signature = key.SignData(tbsBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var crl = new AsnWriter(AsnEncodingRules.DER);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(tbsBytes);
            WriteAlgorithm(crl, OuterAlgorithm);
            crl.WriteBitString(signature);
        }
        return crl.Encode();
    }

    private static void WriteAlgorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence()) writer.WriteObjectIdentifier(oid);
    }

    private void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        if (GeneralizedTimes) writer.WriteGeneralizedTime(time, omitFractionalSeconds: true);
        else writer.WriteUtcTime(time);
    }

    private static void WriteExtensions(AsnWriter writer, IEnumerable<(string Oid, bool Critical, byte[] Value)> extensions)
    {
        using (writer.PushSequence())
        {
            foreach (var (oid, critical, value) in extensions)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    if (critical) writer.WriteBoolean(true);
                    writer.WriteOctetString(value);
                }
            }
        }
    }
}
