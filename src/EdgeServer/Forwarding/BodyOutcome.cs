using EdgeServer.Protocol.Http1;

namespace EdgeServer.Forwarding;

internal enum BodyOutcome : byte
{
    Done = 0,
    /// <summary>The reading side closed or reset before the body ended.</summary>
    SourceAborted,
    /// <summary>The reading side went quiet for longer than its idle timeout.</summary>
    SourceTimedOut,
    /// <summary>The writing side closed or failed.</summary>
    DestinationGone,
    /// <summary>The chunked framing broke a rule, or the body exceeded its limit (see Error).</summary>
    Malformed,
    /// <summary>The relay was asked to stop (the response finished first).</summary>
    Stopped,
}

internal readonly record struct BodyResult(BodyOutcome Outcome, long Bytes, HttpParseError Error = HttpParseError.None);
