namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Strict RFC 9112 request-head parser. Pure: bytes in, a filled <see cref="RequestHead"/> out; it knows
/// nothing of sockets. See the tests for the exact rules.
/// </summary>
public static class Http1RequestParser
{
    /// <summary>
    /// Parses one request head from the start of <paramref name="buffer"/>. On Complete the head is copied
    /// into <see cref="RequestHead.Buffer"/> and <paramref name="consumed"/> is its length; on Incomplete
    /// nothing is consumed; on Error <see cref="RequestHead.Error"/> says why.
    /// </summary>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> buffer, RequestHead head, in HttpParserLimits limits, out long consumed)
        => throw new NotImplementedException();
}
