namespace EdgeServer.Protocol.Http1;

/// <summary>
/// A head parser over one contiguous span, so <see cref="HeadInput"/> can give requests and responses the
/// same segment handling. Static abstract: the JIT specialises and devirtualises each use.
/// </summary>
internal interface IHeadSpanParser<THead>
{
    static abstract ParseStatus Parse(ReadOnlySpan<byte> data, THead head, in HttpParserLimits limits, out int length);

    static abstract void Reset(THead head);
}
