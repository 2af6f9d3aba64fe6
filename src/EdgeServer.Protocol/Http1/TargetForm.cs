namespace EdgeServer.Protocol.Http1;

/// <summary>RFC 9112 §3.2 request-target forms.</summary>
public enum TargetForm : byte
{
    Origin = 0,
    Absolute,
    Authority,
    Asterisk,
}
