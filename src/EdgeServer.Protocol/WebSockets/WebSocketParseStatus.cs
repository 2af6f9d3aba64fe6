namespace EdgeServer.Protocol.WebSockets;

public enum WebSocketParseStatus : byte
{
    /// <summary>The header is not complete yet and nothing so far breaks a rule: read more.</summary>
    NeedMoreData = 0,
    Complete,
    /// <summary>The header breaks an encoding rule; the violation says which.</summary>
    Error,
}
