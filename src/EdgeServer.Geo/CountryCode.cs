namespace EdgeServer.Geo;

/// <summary>
/// A two-letter country code (ISO 3166-1 alpha-2, upper case) held in one ushort, so the WAF can compare and
/// store countries without strings. <c>default</c> is the empty code (no country).
/// </summary>
public readonly struct CountryCode : IEquatable<CountryCode>
{
    private readonly ushort _value;

    private CountryCode(ushort value) => _value = value;

    public bool IsEmpty => _value == 0;

    /// <summary>The code as a number (first letter in the high byte), e.g. for a 26x26 lookup table.</summary>
    public ushort Value => _value;

    /// <summary>Exactly two ASCII letters, either case (stored upper case).</summary>
    public static bool TryCreate(ReadOnlySpan<byte> utf8, out CountryCode code)
    {
        code = default;
        if (utf8.Length != 2 || !char.IsAsciiLetter((char)utf8[0]) || !char.IsAsciiLetter((char)utf8[1])) return false;
        code = new CountryCode((ushort)((Upper(utf8[0]) << 8) | Upper(utf8[1])));
        return true;
    }

    public static bool TryParse(string? text, out CountryCode code)
    {
        code = default;
        if (text is not { Length: 2 }) return false;
        Span<byte> bytes = [(byte)Math.Min(text[0], (char)0x7f), (byte)Math.Min(text[1], (char)0x7f)];
        return TryCreate(bytes, out code);
    }

    public static CountryCode Parse(string text) =>
        TryParse(text, out var code) ? code : throw new FormatException($"'{text}' is not a two-letter country code");

    public override string ToString() => IsEmpty ? "" : string.Create(2, _value, static (span, v) =>
    {
        span[0] = (char)(v >> 8);
        span[1] = (char)(v & 0xff);
    });

    public bool Equals(CountryCode other) => _value == other._value;

    public override bool Equals(object? obj) => obj is CountryCode other && Equals(other);

    public override int GetHashCode() => _value;

    public static bool operator ==(CountryCode left, CountryCode right) => left.Equals(right);

    public static bool operator !=(CountryCode left, CountryCode right) => !left.Equals(right);

    private static int Upper(byte b) => b & ~0x20;
}
