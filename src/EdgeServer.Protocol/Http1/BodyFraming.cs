namespace EdgeServer.Protocol.Http1;

/// <summary>How a message body is delimited (RFC 9112 §6.3).</summary>
public enum BodyFraming : byte
{
    None = 0,
    ContentLength,
    Chunked,
    /// <summary>Responses only: the body runs until the upstream closes the connection.</summary>
    CloseDelimited,
}
