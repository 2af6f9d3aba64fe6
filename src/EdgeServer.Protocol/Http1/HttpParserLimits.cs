namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Parser bounds. The parser never looks further than these into a buffer, so no loop can run past a
/// limit however the bytes arrive.
/// </summary>
public readonly record struct HttpParserLimits(int MaxStartLineBytes, int MaxHeaderBytes, int MaxHeaderCount)
{
    /// <summary>8 KiB: nginx's large_client_header_buffers size; longer targets are almost always abuse.</summary>
    public const int DefaultMaxStartLineBytes = 8 * 1024;

    /// <summary>32 KiB for all header lines together: Kestrel's default, room for large cookies and JWTs.</summary>
    public const int DefaultMaxHeaderBytes = 32 * 1024;

    /// <summary>100 fields: Kestrel's default; legitimate requests carry a few dozen at most.</summary>
    public const int DefaultMaxHeaderCount = 100;

    public static HttpParserLimits Default => new(DefaultMaxStartLineBytes, DefaultMaxHeaderBytes, DefaultMaxHeaderCount);

    /// <summary>The most bytes a complete head may take: start line plus header block plus the final CRLF.</summary>
    public int MaxHeadBytes => MaxStartLineBytes + MaxHeaderBytes + 2;
}
