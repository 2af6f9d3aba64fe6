using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// An X.509 v2 CRL (RFC 5280 §5), parsed by <see cref="CrlParser"/>. The BCL's
/// <see cref="CertificateRevocationListBuilder.Load(byte[], out BigInteger)"/> neither verifies the signature nor
/// exposes nextUpdate, and a listener needs both to decide whether a CRL may be used.
/// <para>
/// Parsing is strict and fails closed with <see cref="CrlFormatException"/>: delta CRLs, indirect CRLs, a critical
/// issuing distribution point and any unknown critical extension are refused, because using such a CRL as if it
/// were complete could let a revoked certificate through. A signature algorithm that cannot be verified
/// (anything but RSA PKCS#1 v1.5 or RSASSA-PSS with SHA-256/384/512, or ECDSA with SHA-256/384/512) does not
/// fail the parse; <see cref="IsSignedBy"/> is then always false.
/// </para>
/// </summary>
public sealed class CertificateRevocationList
{
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _revoked;
    private readonly ReadOnlyMemory<byte> _tbsCertList;
    private readonly byte[] _signature;
    private readonly CrlSignatureAlgorithm _algorithm;

    internal CertificateRevocationList(
        X500DistinguishedName issuer,
        DateTimeOffset thisUpdate,
        DateTimeOffset? nextUpdate,
        BigInteger? crlNumber,
        byte[]? authorityKeyIdentifier,
        HashSet<byte[]> revokedSerials,
        int count,
        ReadOnlyMemory<byte> tbsCertList,
        CrlSignatureAlgorithm algorithm,
        byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        CrlNumber = crlNumber;
        AuthorityKeyIdentifier = authorityKeyIdentifier;
        _revoked = revokedSerials.GetAlternateLookup<ReadOnlySpan<byte>>();
        Count = count;
        _tbsCertList = tbsCertList;
        _algorithm = algorithm;
        _signature = signature;
    }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public BigInteger? CrlNumber { get; }

    public byte[]? AuthorityKeyIdentifier { get; }

    /// <summary>Revoked entries as listed (a serial listed twice counts twice).</summary>
    public int Count { get; }

    /// <summary>Reads a CRL file, PEM (<c>-----BEGIN X509 CRL-----</c>) or DER; the path names the source in errors.</summary>
    public static CertificateRevocationList Load(string path) => CrlParser.Parse(CrlFile.Read(path), path);

    /// <summary>Parses PEM or DER bytes; <paramref name="source"/> names them in error messages.</summary>
    public static CertificateRevocationList Parse(ReadOnlySpan<byte> data, string source) =>
        CrlParser.Parse(CrlFile.Decode(data, source), source);

    /// <summary>
    /// Whether the certificate's serial number is listed. Only the serial is compared: the caller checks that the
    /// certificate was issued by this CRL's issuer (<see cref="IsSignedBy"/> with the same issuer certificate).
    /// </summary>
    public bool IsRevoked(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _revoked.Contains(certificate.SerialNumberBytes.Span);
    }

    /// <summary>
    /// True when <paramref name="issuer"/>'s subject is this CRL's issuer name (byte for byte), its key usage (if
    /// present) allows cRLSign, and its public key verifies the signature over the exact tbsCertList bytes.
    /// </summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData)) return false;
        foreach (var extension in issuer.Extensions)
        {
            if (extension is X509KeyUsageExtension usage && (usage.KeyUsages & X509KeyUsageFlags.CrlSign) == 0) return false;
        }
        return _algorithm.Verify(_tbsCertList.Span, _signature, issuer);
    }

    /// <summary>True once nextUpdate has passed. A CRL without nextUpdate (RFC 5280 requires one) never goes stale.</summary>
    public bool IsStale(DateTimeOffset now) => NextUpdate is { } next && next < now;
}
