using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// The decisions of forwarding one request to its route's cluster; the connection loop
/// (EdgeConnectionHandler.Loop.cs) sequences the phases and owns every await. Phases, in order: pick a
/// destination, lease a pooled connection, write the rewritten head, relay the request body while
/// reading the response head, relay the response, then return the connection to the pool only if both
/// messages ended cleanly. A connect failure is retried once on another destination (nothing was
/// sent); an idempotent, body-less request that met a pooled connection closed under it is retried once too.
/// </summary>
internal static class Forwarder
{
    /// <summary>Marks the request's hop-by-hop and client-sent identity fields (dropped by the head writer); returns the cluster's response timeout.</summary>
    public static long Prepare(ClientConnection connection, UpstreamCluster cluster)
    {
        var head = connection.Head;
        HopByHopHeaders.Mark(head.Buffer, head.MutableFields);
        connection.IdentityHeaders.Mark(head.Buffer, head.MutableFields);
        return (long)cluster.Config.ResponseTimeout.TotalMilliseconds;
    }

    public static ForwardResult NoHealthyUpstream(bool hasBody) => Refused(503, "no healthy upstream", hasBody, null);

    public static ForwardResult ConnectFailed(UpstreamConnectException ex, bool hasBody, Destination destination) =>
        Refused(ex.TimedOut ? 504 : 502, ex.Reason ?? (ex.TimedOut ? "upstream connect timeout" : "upstream connect failed"), hasBody, destination.AddressText);

    /// <summary>The request head could not be sent; a reused connection on the first attempt is the keep-alive race: retry.</summary>
    public static bool RetryAfterSendFailure(Destination destination, int attempt, bool reused, bool hasBody, out ForwardResult result)
    {
        result = default;
        if (attempt == 0 && reused) return true;
        destination.ReportFailure();
        result = Refused(502, "upstream closed the connection", hasBody, destination.AddressText);
        return false;
    }

    /// <summary>A pooled connection the upstream closed before answering: safe to send again only when nothing else could have happened.</summary>
    public static bool MayRetry(ResponseHeadOutcome outcome, bool reused, int attempt, bool hasBody, KnownMethod method) =>
        outcome == ResponseHeadOutcome.ClosedBeforeResponse && reused && attempt == 0 && !hasBody && IsIdempotent(method);

    /// <summary>Upgrades are not relayed yet; an upstream that switches protocols unasked is broken.</summary>
    public static ForwardResult SwitchedProtocols(Destination destination, UpstreamConnection upstream)
    {
        upstream.Abort();
        destination.Release(upstream, reusable: false);
        destination.ReportFailure();
        return Refused(502, "upstream switched protocols", true, destination.AddressText);
    }

    /// <summary>
    /// Writes the response head to the client (not flushed) and decides whether the client connection
    /// stays open: a request body still streaming when the response starts may never finish, so then we promise nothing.
    /// </summary>
    public static long WriteResponseHead(ClientConnection connection, UpstreamConnection upstream, bool requestBodyPending, out BodyFraming framing, out bool keepAlive)
    {
        var head = connection.Head;
        var response = upstream.Response;
        framing = response.GetFraming(head.Method);
        keepAlive = head.KeepAlive && framing != BodyFraming.CloseDelimited && !requestBodyPending;
        return ResponseHeadWriter.Write(connection.Output, response, keepAlive, head.Version == HttpVersion.Http10);
    }

    /// <summary>Reports health, returns the connection to the pool if both messages ended cleanly, and describes the request.</summary>
    public static ForwardResult Finish(Destination destination, UpstreamConnection upstream, BodyFraming framing, bool keepAlive,
        long headBytes, BodyResult responseBody, BodyResult requestBody, TimeSpan latency)
    {
        var response = upstream.Response;
        var status = response.StatusCode;   // Release resets the pooled head: read what we need first
        var upstreamKeepAlive = response.KeepAlive;
        var clean = responseBody.Outcome == BodyOutcome.Done && requestBody.Outcome == BodyOutcome.Done;
        if (responseBody.Outcome is BodyOutcome.SourceAborted or BodyOutcome.SourceTimedOut or BodyOutcome.Malformed)
        {
            destination.ReportFailure();
        }
        else
        {
            destination.ReportSuccess();
        }
        destination.Release(upstream, reusable: clean && upstreamKeepAlive && framing != BodyFraming.CloseDelimited);

        return new ForwardResult
        {
            Status = status,
            ResponseStarted = true,
            KeepAlive = keepAlive && clean,
            BytesOut = headBytes + responseBody.Bytes,
            BodyBytesIn = requestBody.Bytes,
            Upstream = destination.AddressText,
            UpstreamLatency = latency,
            Error = responseBody.Outcome == BodyOutcome.Done ? null : ResponseBodyError(responseBody.Outcome),
        };
    }

    private static bool IsIdempotent(KnownMethod method) =>
        method is KnownMethod.Get or KnownMethod.Head or KnownMethod.Options or KnownMethod.Put or KnownMethod.Delete or KnownMethod.Trace;

    private static ForwardResult Refused(int status, string error, bool hasBody, string? upstream) => new()
    {
        Status = status,
        // The client's body was not read; the only safe way on is a fresh connection.
        KeepAlive = !hasBody,
        Upstream = upstream,
        Error = error,
    };

    public static ForwardResult HeadFailure(ResponseHeadOutcome outcome, BodyResult body, bool hasBody, Destination destination)
    {
        if (hasBody)
        {
            switch (body.Outcome)
            {
                case BodyOutcome.Malformed:
                    return Refused(HttpParseErrors.StatusCode(body.Error), HttpParseErrors.Reason(body.Error), true, destination.AddressText);
                case BodyOutcome.SourceTimedOut:
                    return Refused(408, "request body timeout", true, destination.AddressText);
                case BodyOutcome.SourceAborted:
                    return Refused(499, "client closed the connection", true, destination.AddressText) with { ClientGone = true };
            }
        }
        switch (outcome)
        {
            case ResponseHeadOutcome.TimedOut:
                destination.ReportFailure();
                return Refused(504, "upstream response timeout", true, destination.AddressText);
            case ResponseHeadOutcome.ClientGone:
                return Refused(499, "client closed the connection", true, destination.AddressText) with { ClientGone = true };
            case ResponseHeadOutcome.Malformed:
                destination.ReportFailure();
                return Refused(502, "malformed upstream response", true, destination.AddressText);
            default:
                destination.ReportFailure();
                return Refused(502, "upstream closed or reset the connection", true, destination.AddressText);
        }
    }

    private static string ResponseBodyError(BodyOutcome outcome) => outcome switch
    {
        BodyOutcome.SourceAborted => "upstream closed mid-response",
        BodyOutcome.SourceTimedOut => "upstream response body timeout",
        BodyOutcome.Malformed => "malformed upstream response body",
        BodyOutcome.DestinationGone => "client closed the connection",
        _ => "request body incomplete",
    };
}
