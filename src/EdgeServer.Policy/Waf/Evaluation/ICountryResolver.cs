namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// Country of an address for GeoMatch: the daemon supplies one over the current geo database (and swaps the
/// database on reload behind it). Countries are two ASCII upper-case letters packed as (first &lt;&lt; 8) | second.
/// </summary>
public interface ICountryResolver
{
    bool TryResolve(ReadOnlySpan<byte> address, out ushort country);
}

public static class CountryCodes
{
    public static ushort Pack(ReadOnlySpan<char> code) => (ushort)((char.ToUpperInvariant(code[0]) << 8) | char.ToUpperInvariant(code[1]));

    public static string Unpack(ushort code) => new([(char)(code >> 8), (char)(code & 0xFF)]);
}
