using System.Numerics;
using System.Security.Cryptography;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// RSASSA-PSS verification (RFC 8017 §8.1.2 and EMSA-PSS-VERIFY §9.1.2) for any salt length, with MGF1 over the
/// message hash. The BCL only verifies salts as long as the hash, while OpenSSL signs with the longest salt that
/// fits unless told otherwise. Only public values are involved, so plain <see cref="BigInteger"/> arithmetic is fine.
/// </summary>
internal static class RsaPssVerifier
{
    public static bool Verify(RSA rsa, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash, int saltLength)
    {
        var key = rsa.ExportParameters(includePrivateParameters: false);
        var n = new BigInteger(key.Modulus, isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(key.Exponent, isUnsigned: true, isBigEndian: true);
        var k = key.Modulus!.Length;
        if (signature.Length != k) return false;

        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= n) return false;
        var m = BigInteger.ModPow(s, e, n);

        var modBits = (int)n.GetBitLength();
        var emBits = modBits - 1;
        var emLength = (emBits + 7) / 8;
        var em = new byte[emLength];
        if (m.GetByteCount(isUnsigned: true) > emLength) return false;
        m.TryWriteBytes(em.AsSpan(emLength - m.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);

        var hashLength = CrlSignatureAlgorithm.HashLength(hash);
        if (emLength < hashLength + saltLength + 2 || em[^1] != 0xBC) return false;

        var dbLength = emLength - hashLength - 1;
        var maskedDb = em.AsSpan(0, dbLength);
        var h = em.AsSpan(dbLength, hashLength);
        var unusedBits = 8 * emLength - emBits;
        var topMask = (byte)(0xFF >> unusedBits);
        if ((maskedDb[0] & ~topMask) != 0) return false;

        var db = Mgf1(h, dbLength, hash);
        for (var i = 0; i < dbLength; i++) db[i] ^= maskedDb[i];
        db[0] &= topMask;

        var padding = dbLength - saltLength - 1;
        for (var i = 0; i < padding; i++)
        {
            if (db[i] != 0) return false;
        }
        if (db[padding] != 0x01) return false;

        // M' = 8 zero bytes || Hash(message) || salt
        var mPrime = new byte[8 + hashLength + saltLength];
        CryptographicOperations.HashData(hash, data, mPrime.AsSpan(8, hashLength));
        db.AsSpan(dbLength - saltLength).CopyTo(mPrime.AsSpan(8 + hashLength));
        Span<byte> expected = stackalloc byte[64];
        var written = CryptographicOperations.HashData(hash, mPrime, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..written], h);
    }

    private static byte[] Mgf1(ReadOnlySpan<byte> seed, int length, HashAlgorithmName hash)
    {
        var hashLength = CrlSignatureAlgorithm.HashLength(hash);
        var output = new byte[length];
        var input = new byte[seed.Length + 4];
        seed.CopyTo(input);
        Span<byte> block = stackalloc byte[64];
        for (uint counter = 0, offset = 0; offset < length; counter++, offset += (uint)hashLength)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(seed.Length), counter);
            CryptographicOperations.HashData(hash, input, block);
            block[..Math.Min(hashLength, length - (int)offset)].CopyTo(output.AsSpan((int)offset));
        }
        return output;
    }
}
