namespace EdgeServer.Protocol.WebSockets;

public enum WebSocketInspectStatus : byte
{
    /// <summary>Every consumed byte is valid; bytes not consumed are an unfinished header or control frame to offer again with more.</summary>
    NeedMoreData = 0,
    /// <summary>An events call returned false; the consumed bytes end with the frame it was about. Call again with the rest.</summary>
    Paused,
    /// <summary>A valid close frame has been consumed (this call or before); the peer may send no data frame after it.</summary>
    Closed,
    /// <summary>A rule was broken; the consumed bytes end where the offending frame begins. Sticky until Reset.</summary>
    Violation,
}
