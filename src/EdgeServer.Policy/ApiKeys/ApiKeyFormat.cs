using System.Buffers;
using System.Security.Cryptography;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// The shape of an API key: <c>edge_&lt;id&gt;_&lt;secret&gt;</c>, for example
/// <c>edge_k7f3q2m4xa_4Zq0cJ8h…</c> (59 ASCII characters in all).
/// </summary>
/// <remarks>
/// <para>The <b>id</b> is 10 characters of lowercase RFC 4648 base32 (a–z, 2–7): 50 random bits, packed into a
/// <see cref="ApiKeyId"/> so the store finds a key with one integer lookup and no allocation. It is public: logs,
/// metrics, `edge keys list` and `edge keys revoke` name a key by its id, never by its secret. Lowercase base32 has
/// no look-alike pairs of case and survives case-insensitive systems and URLs.</para>
/// <para>The <b>secret</b> is 43 characters of base62 (0–9, A–Z, a–z) drawn uniformly by
/// <see cref="RandomNumberGenerator"/>: 43 × log2(62) ≈ 256.03 bits, as much as 32 random bytes. Base62 rather than
/// base64url so a double click selects the whole key and no character needs escaping in a header, a URL or YAML.</para>
/// <para>The prefix makes leaked keys findable by secret scanners; both parts have fixed lengths, so parsing is a
/// length check and two character-class checks. Only SHA-256 of the whole key string is stored: with 256 random
/// bits there is nothing to brute-force, so a slow salted hash would only cost time on every request.</para>
/// </remarks>
public static class ApiKeyFormat
{
    public const string Prefix = "edge_";
    public const int IdLength = 10;
    public const int SecretLength = 43;
    public const int KeyLength = 5 + IdLength + 1 + SecretLength;

    /// <summary>Offsets of the parts in the key: prefix, id, the separator before the secret, the secret.</summary>
    private const int IdOffset = 5;
    private const int SeparatorOffset = IdOffset + IdLength;
    private const int SecretOffset = SeparatorOffset + 1;

    internal const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<byte> Base62Bytes = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>A new key with a random id and secret. The caller stores its hash, shows it once, and drops it.</summary>
    public static string Generate() => Generate(ApiKeyId.NewRandom());

    /// <summary>A new key with the given id (callers pick a fresh id when the random one is taken).</summary>
    public static string Generate(ApiKeyId id) =>
        string.Concat(Prefix, id.ToString(), "_", RandomNumberGenerator.GetString(Base62, SecretLength));

    /// <summary>Checks the shape of a presented key (ASCII bytes) and reads its id. Allocates nothing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> key, out ApiKeyId id)
    {
        id = default;
        return key.Length == KeyLength
            && key.StartsWith("edge_"u8)
            && key[SeparatorOffset] == (byte)'_'
            && !key[SecretOffset..].ContainsAnyExcept(Base62Bytes)
            && ApiKeyId.TryParse(key.Slice(IdOffset, IdLength), out id);
    }

    public static bool TryParse(string key, out ApiKeyId id)
    {
        ArgumentNullException.ThrowIfNull(key);
        id = default;
        if (key.Length != KeyLength) return false;
        Span<byte> ascii = stackalloc byte[KeyLength];
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] > 0x7F) return false;
            ascii[i] = (byte)key[i];
        }
        return TryParse(ascii, out id);
    }

    /// <summary>The digest the store keeps: SHA-256 over the whole key's ASCII bytes.</summary>
    public static byte[] Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(key));
    }
}
