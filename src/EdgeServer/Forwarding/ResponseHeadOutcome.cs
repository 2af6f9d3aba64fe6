namespace EdgeServer.Forwarding;

internal enum ResponseHeadOutcome : byte
{
    Ok = 0,
    /// <summary>No response head within the cluster's response timeout (504).</summary>
    TimedOut,
    /// <summary>The upstream closed without sending a byte: on a reused connection this is the keep-alive race, safe to retry for idempotent requests.</summary>
    ClosedBeforeResponse,
    /// <summary>Reset, or closed mid-head (502).</summary>
    Failed,
    /// <summary>The head broke a framing rule (502).</summary>
    Malformed,
    /// <summary>Writing an interim response to the client failed.</summary>
    ClientGone,
}
