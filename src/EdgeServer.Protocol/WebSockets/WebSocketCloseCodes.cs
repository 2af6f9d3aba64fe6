namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Close status codes (RFC 6455 §7.4 and the IANA registry) and which of them may appear on the wire.
/// </summary>
public static class WebSocketCloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    /// <summary>Reserved for "no status code was present"; never sent, reported by the inspector for an empty close frame.</summary>
    public const ushort NoStatusReceived = 1005;
    /// <summary>Reserved for "closed without a close frame"; never sent.</summary>
    public const ushort AbnormalClosure = 1006;
    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort MandatoryExtension = 1010;
    public const ushort InternalError = 1011;
    public const ushort ServiceRestart = 1012;
    public const ushort TryAgainLater = 1013;
    public const ushort BadGateway = 1014;

    /// <summary>
    /// Whether a close frame may carry this code: 1000-1003 and 1007-1014 are assigned for the wire, 3000-3999
    /// are registered for libraries and 4000-4999 private. 1004 is reserved, 1005, 1006 and 1015 are reserved
    /// for local use only, everything else is unassigned (Autobahn's case 7.9 refuses them all too).
    /// </summary>
    public static bool IsValidOnWire(int code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
}
