namespace EdgeServer.Protocol.Http1;

/// <summary>Methods recognised as bytes by the parser; anything else that is a valid token is <see cref="Custom"/>.</summary>
public enum KnownMethod : byte
{
    Custom = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Trace,
    Connect,
}
