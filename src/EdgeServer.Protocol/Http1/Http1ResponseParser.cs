namespace EdgeServer.Protocol.Http1;

/// <summary>Strict parser for upstream response heads, for framing (RFC 9112 §4, §6.3).</summary>
public static class Http1ResponseParser
{
    public static ParseStatus TryParse(in ReadOnlySequence<byte> buffer, ResponseHead head, in HttpParserLimits limits, out long consumed)
        => throw new NotImplementedException();
}
