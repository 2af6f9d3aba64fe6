namespace EdgeServer.Upstream;

/// <summary>Connecting to a destination failed; <see cref="TimedOut"/> tells 504 from 502.</summary>
internal sealed class UpstreamConnectException(string message, bool timedOut, Exception? inner = null, string? reason = null)
    : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;

    /// <summary>
    /// The error the client is told, when more specific than "upstream connect failed" (a TLS handshake
    /// failure and why); without the destination's address, which only the access log records.
    /// </summary>
    public string? Reason { get; } = reason;
}
