using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// Turns key bytes into <see cref="RateLimitKey"/>s under a hash key that every edge node of a fleet derives from the
/// same secret, so one client's key has one identity on every node and in Redis (global limits). Local limits keep
/// <see cref="RateLimitKey.Of"/>'s per-process random key.
/// </summary>
/// <remarks>
/// The hash key is HMAC-SHA-256 of a context string under the secret: nodes agree without talking, and a client who
/// does not know the secret cannot aim keys at one table group (see <see cref="SipHash"/>). Knowing the secret lets
/// one do exactly that, so the secret should be one the fleet keeps (the daemon uses the Redis password with the
/// key prefix).
/// </remarks>
public sealed class RateLimitKeyHasher
{
    private readonly SipHash _hash;

    private RateLimitKeyHasher(SipHash hash) => _hash = hash;

    public static RateLimitKeyHasher FromSecret(ReadOnlySpan<byte> secret)
    {
        Span<byte> derived = stackalloc byte[32];
        HMACSHA256.HashData(secret, "edge rate-limit key identity v1"u8, derived);
        return new RateLimitKeyHasher(new SipHash(
            BinaryPrimitives.ReadUInt64LittleEndian(derived), BinaryPrimitives.ReadUInt64LittleEndian(derived[8..])));
    }

    public RateLimitKey Of(ReadOnlySpan<byte> bytes) => new(_hash.Hash13(bytes));
}
