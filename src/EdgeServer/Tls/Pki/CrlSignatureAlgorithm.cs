using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// A CRL's signature AlgorithmIdentifier, reduced to what verification needs. Well-formed identifiers this
/// code cannot verify (SHA-1, DSA, Ed25519, PSS with a SHA-1 or mismatched mask hash, ...) parse as
/// <see cref="Kind.Unsupported"/> and never verify: the CRL stays readable, but it can never be trusted.
/// </summary>
internal sealed class CrlSignatureAlgorithm
{
    private const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    private const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    private const string Sha512WithRsa = "1.2.840.113549.1.1.13";
    private const string RsassaPss = "1.2.840.113549.1.1.10";
    private const string Mgf1 = "1.2.840.113549.1.1.8";
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    private const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";

    internal enum Kind
    {
        Unsupported,
        RsaPkcs1,
        RsaPss,
        Ecdsa,
    }

    private CrlSignatureAlgorithm(string oid, Kind kind, HashAlgorithmName hash, int saltLength)
    {
        Oid = oid;
        Algorithm = kind;
        Hash = hash;
        SaltLength = saltLength;
    }

    public string Oid { get; }

    public Kind Algorithm { get; }

    public HashAlgorithmName Hash { get; }

    public int SaltLength { get; }

    /// <summary>Reads an AlgorithmIdentifier; throws <see cref="AsnContentException"/> on malformed DER.</summary>
    public static CrlSignatureAlgorithm Read(ReadOnlyMemory<byte> encoded)
    {
        var outer = new AsnReader(encoded, AsnEncodingRules.DER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var oid = sequence.ReadObjectIdentifier();
        var parameters = sequence.HasData ? sequence.ReadEncodedValue() : ReadOnlyMemory<byte>.Empty;
        sequence.ThrowIfNotEmpty();

        return oid switch
        {
            Sha256WithRsa when IsNullOrAbsent(parameters) => new(oid, Kind.RsaPkcs1, HashAlgorithmName.SHA256, 0),
            Sha384WithRsa when IsNullOrAbsent(parameters) => new(oid, Kind.RsaPkcs1, HashAlgorithmName.SHA384, 0),
            Sha512WithRsa when IsNullOrAbsent(parameters) => new(oid, Kind.RsaPkcs1, HashAlgorithmName.SHA512, 0),
            // RFC 5758 says ECDSA parameters are absent; a NULL is a common, harmless deviation.
            EcdsaWithSha256 when IsNullOrAbsent(parameters) => new(oid, Kind.Ecdsa, HashAlgorithmName.SHA256, 0),
            EcdsaWithSha384 when IsNullOrAbsent(parameters) => new(oid, Kind.Ecdsa, HashAlgorithmName.SHA384, 0),
            EcdsaWithSha512 when IsNullOrAbsent(parameters) => new(oid, Kind.Ecdsa, HashAlgorithmName.SHA512, 0),
            RsassaPss when !parameters.IsEmpty => ReadPss(oid, parameters),
            _ => new(oid, Kind.Unsupported, default, 0),
        };
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, X509Certificate2 issuer)
    {
        try
        {
            switch (Algorithm)
            {
                case Kind.RsaPkcs1:
                {
                    using var rsa = issuer.GetRSAPublicKey();
                    return rsa is not null && rsa.VerifyData(data, signature, Hash, RSASignaturePadding.Pkcs1);
                }
                case Kind.RsaPss:
                {
                    using var rsa = issuer.GetRSAPublicKey();
                    if (rsa is null) return false;
                    // The BCL verifies PSS only with a salt as long as the hash; OpenSSL signs with the longest
                    // salt that fits by default, so other lengths go through our own EMSA-PSS check.
                    return SaltLength == HashLength(Hash)
                        ? rsa.VerifyData(data, signature, Hash, RSASignaturePadding.Pss)
                        : RsaPssVerifier.Verify(rsa, data, signature, Hash, SaltLength);
                }
                case Kind.Ecdsa:
                {
                    using var ecdsa = issuer.GetECDsaPublicKey();
                    return ecdsa is not null && ecdsa.VerifyData(data, signature, Hash, DSASignatureFormat.Rfc3279DerSequence);
                }
                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            // An unusable issuer key or a signature of the wrong shape is simply "not signed by".
            return false;
        }
    }

    internal static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;

    private static bool IsNullOrAbsent(ReadOnlyMemory<byte> parameters) =>
        parameters.IsEmpty || parameters.Span.SequenceEqual((ReadOnlySpan<byte>)[0x05, 0x00]);

    private static CrlSignatureAlgorithm ReadPss(string oid, ReadOnlyMemory<byte> parameters)
    {
        var outer = new AsnReader(parameters, AsnEncodingRules.DER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        // RFC 4055 defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1. SHA-1 is not accepted here.
        string? hashOid = null;
        string? mgfHashOid = null;
        var salt = 20;
        var trailer = 1;
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            var explicitHash = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            hashOid = ReadHashAlgorithm(explicitHash);
            explicitHash.ThrowIfNotEmpty();
        }
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            var explicitMgf = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
            var mgf = explicitMgf.ReadSequence();
            explicitMgf.ThrowIfNotEmpty();
            if (mgf.ReadObjectIdentifier() != Mgf1) return new(oid, Kind.Unsupported, default, 0);
            mgfHashOid = ReadHashAlgorithm(mgf);
            mgf.ThrowIfNotEmpty();
        }
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
        {
            var explicitSalt = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2));
            if (!explicitSalt.TryReadInt32(out salt) || salt < 0) throw new AsnContentException("RSASSA-PSS saltLength is out of range");
            explicitSalt.ThrowIfNotEmpty();
        }
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
        {
            var explicitTrailer = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3));
            if (!explicitTrailer.TryReadInt32(out trailer)) throw new AsnContentException("RSASSA-PSS trailerField is out of range");
            explicitTrailer.ThrowIfNotEmpty();
        }
        sequence.ThrowIfNotEmpty();

        HashAlgorithmName? hash = hashOid switch
        {
            "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
            "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
            "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
            _ => null,
        };
        // The BCL and our verifier both derive the mask with the message hash, so a different MGF1 hash is refused.
        return hash is null || mgfHashOid != hashOid || trailer != 1
            ? new(oid, Kind.Unsupported, default, 0)
            : new(oid, Kind.RsaPss, hash.Value, salt);
    }

    private static string ReadHashAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData) algorithm.ReadNull();
        algorithm.ThrowIfNotEmpty();
        return oid;
    }
}
