using System.Security.Cryptography;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// The public part of an API key: 10 lowercase base32 characters (a–z, 2–7) packed 5 bits each into one integer,
/// so it is a cheap dictionary key and a key's id is read from request bytes without allocating.
/// </summary>
public readonly record struct ApiKeyId
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>10 characters × 5 bits.</summary>
    private const int Bits = ApiKeyFormat.IdLength * 5;

    public ApiKeyId(ulong value)
    {
        if (value >> Bits != 0) throw new ArgumentOutOfRangeException(nameof(value), $"an API key id holds {Bits} bits");
        Value = value;
    }

    public ulong Value { get; }

    public static ApiKeyId NewRandom() =>
        new(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong))) & ((1UL << Bits) - 1));

    public static bool TryParse(ReadOnlySpan<byte> text, out ApiKeyId id)
    {
        id = default;
        if (text.Length != ApiKeyFormat.IdLength) return false;
        ulong value = 0;
        foreach (var c in text)
        {
            int digit = c switch
            {
                >= (byte)'a' and <= (byte)'z' => c - 'a',
                >= (byte)'2' and <= (byte)'7' => c - '2' + 26,
                _ => -1,
            };
            if (digit < 0) return false;
            value = (value << 5) | (uint)digit;
        }
        id = new ApiKeyId(value);
        return true;
    }

    public static bool TryParse(string? text, out ApiKeyId id)
    {
        id = default;
        if (text is null || text.Length != ApiKeyFormat.IdLength) return false;
        Span<byte> ascii = stackalloc byte[ApiKeyFormat.IdLength];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F) return false;
            ascii[i] = (byte)text[i];
        }
        return TryParse(ascii, out id);
    }

    /// <summary>Writes the 10 ASCII characters; <paramref name="destination"/> must hold at least 10 bytes.</summary>
    public void Format(Span<byte> destination)
    {
        var value = Value;
        for (var i = ApiKeyFormat.IdLength - 1; i >= 0; i--)
        {
            destination[i] = (byte)Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    }

    public override string ToString() => string.Create(ApiKeyFormat.IdLength, Value, static (chars, value) =>
    {
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    });
}
