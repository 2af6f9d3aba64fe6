using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// SipHash with a secret 128-bit key: the 64-bit identity of a rate-limit key (see <see cref="RateLimitKey"/>).
/// </summary>
/// <remarks>
/// <para>
/// Why a keyed PRF and not a fast unkeyed hash (xxHash, even seeded): rate-limit keys come from clients, and a client
/// who can make many keys land in one table group pushes other clients into the shared overflow bucket. Seeded
/// non-cryptographic hashes have seed-independent collision attacks (published for MurmurHash and CityHash); SipHash
/// was designed against exactly this (hash flooding), and it needs nothing beyond the BCL.
/// SipHash-1-3 (one compression round, three finalisation rounds) is what Rust's HashMap and CPython's str hash use:
/// about 11 ns for a 6-byte key on the 2-core benchmark machine (RateLimiterBenchmark's hash-only case).
/// </para>
/// <para>
/// Collisions: two distinct keys share an identity with probability 2⁻⁶⁴ per pair, for an attacker who does not know
/// the key as well. With n keys tracked at once the chance of any collision is about n²/2⁶⁵: 3·10⁻⁸ for a million keys.
/// A collision makes two clients share one bucket, the same as if they shared an IP prefix; it never lets one spend
/// more than the limit.
/// </para>
/// </remarks>
internal readonly struct SipHash
{
    private readonly ulong _k0;
    private readonly ulong _k1;

    public SipHash(ulong k0, ulong k1)
    {
        _k0 = k0;
        _k1 = k1;
    }

    /// <summary>A key from the operating system's CSPRNG, never written anywhere.</summary>
    public static SipHash WithRandomKey()
    {
        Span<byte> key = stackalloc byte[16];
        RandomNumberGenerator.Fill(key);
        return new SipHash(BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]));
    }

    /// <summary>SipHash-1-3, written out round by round: this runs on every rate-limit decision.</summary>
    public ulong Hash13(ReadOnlySpan<byte> data)
    {
        ulong v0 = _k0 ^ 0x736f6d6570736575UL;
        ulong v1 = _k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = _k0 ^ 0x6c7967656e657261UL;
        ulong v3 = _k1 ^ 0x7465646279746573UL;

        int whole = data.Length & ~7;
        for (int at = 0; at < whole; at += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(at, 8));
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        ulong last = ((ulong)data.Length << 56) | Tail(data[whole..]);
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /// <summary>SipHash-c-d, for checking against the reference vectors of other round counts.</summary>
    internal ulong Hash(ReadOnlySpan<byte> data, int compressionRounds, int finalizationRounds)
    {
        ulong v0 = _k0 ^ 0x736f6d6570736575UL;
        ulong v1 = _k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = _k0 ^ 0x6c7967656e657261UL;
        ulong v3 = _k1 ^ 0x7465646279746573UL;

        int whole = data.Length & ~7;
        for (int at = 0; at < whole; at += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(at, 8));
            v3 ^= m;
            for (int r = 0; r < compressionRounds; r++)
                Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        ulong last = ((ulong)data.Length << 56) | Tail(data[whole..]);
        v3 ^= last;
        for (int r = 0; r < compressionRounds; r++)
            Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xff;
        for (int r = 0; r < finalizationRounds; r++)
            Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /// <summary>The last 0-7 bytes as a little-endian number, in at most three loads (overlapping ones OR together).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Tail(ReadOnlySpan<byte> tail)
    {
        int n = tail.Length;
        if (n >= 4)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(tail)
                | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(tail[(n - 4)..]) << (8 * (n - 4)));
        }

        if (n == 0)
            return 0;
        return tail[0] | ((ulong)tail[n >> 1] << (8 * (n >> 1))) | ((ulong)tail[n - 1] << (8 * (n - 1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
    }
}
