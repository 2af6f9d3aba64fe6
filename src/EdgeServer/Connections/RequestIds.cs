namespace EdgeServer.Connections;

/// <summary>Which client-sent request ids a trusting listener adopts: short and made of safe characters, so they cannot inject into logs or JSON.</summary>
internal static class RequestIds
{
    public const int MaxLength = 128;
    private static readonly SearchValues<byte> s_allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"u8);

    public static bool IsAcceptable(ReadOnlySpan<byte> id) =>
        id.Length is > 0 and <= MaxLength && !id.ContainsAnyExcept(s_allowed);
}
