namespace EdgeServer.Protocol.Http1;

public enum ParseStatus : byte
{
    /// <summary>The head is not complete yet and no rule is broken so far: read more.</summary>
    Incomplete = 0,
    Complete,
    /// <summary>The bytes break a rule; the head's Error says which. The connection must close.</summary>
    Error,
}
