namespace EdgeServer.Upstream;

/// <summary>Connecting to a destination failed; <see cref="TimedOut"/> tells 504 from 502.</summary>
internal sealed class UpstreamConnectException(string message, bool timedOut, Exception? inner = null)
    : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}
