using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EdgeServer.Connections;
using EdgeServer.Observability;
using EdgeServer.Protocol.Http1;
using EdgeServer.Runtime;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// Forwards one request to its route's cluster. Phases, in order: pick a destination, lease a pooled
/// connection, write the rewritten head, relay the request body while reading the response head,
/// relay the response, then return the connection to the pool only if both messages ended cleanly.
/// A connect failure is retried once on another destination (nothing was sent); an idempotent,
/// body-less request that met a pooled connection closed under it is retried once too.
/// </summary>
internal static class Forwarder
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ForwardResult> ForwardAsync(ClientConnection connection, RuntimeSnapshot snapshot, RouteEntry entry, EdgeMetrics metrics)
    {
        var head = connection.Head;
        var cluster = entry.Cluster!;
        var hasBody = head.BodyFraming != BodyFraming.None;
        var responseTimeoutMs = (long)cluster.Config.ResponseTimeout.TotalMilliseconds;
        HopByHopHeaders.Mark(head.Buffer, head.MutableFields);

        Destination? exclude = null;
        for (var attempt = 0; ; attempt++)
        {
            var destination = cluster.Pick(exclude);
            if (destination is null) return Refused(503, "no healthy upstream", hasBody, null);

            UpstreamConnection upstream;
            try
            {
                upstream = await destination.AcquireAsync(CancellationToken.None);
            }
            catch (UpstreamConnectException ex)
            {
                destination.ReportFailure();
                if (attempt == 0)
                {
                    exclude = destination;
                    continue;
                }
                return Refused(ex.TimedOut ? 504 : 502, ex.TimedOut ? "upstream connect timeout" : "upstream connect failed", hasBody, destination.AddressText);
            }

            var reused = upstream.CompletedRequests > 0;
            RequestHeadWriter.Write(upstream.Output, connection, connection.Listener.TrustForwardedHeaders);
            if (!await TryFlushAsync(upstream.Output))
            {
                destination.Release(upstream, reusable: false);
                if (attempt == 0 && reused) continue;
                destination.ReportFailure();
                return Refused(502, "upstream closed the connection", hasBody, destination.AddressText);
            }
            var sentAt = Stopwatch.GetTimestamp();

            // The body streams concurrently with the response head read: an upstream may answer early
            // (401, 413) without reading the body, and must not deadlock against our upload.
            if (hasBody) connection.ResetBodyStop();
            var body = hasBody
                ? RequestBodyRelay.RelayAsync(connection, upstream, entry.Route.MaxBodyBytes, snapshot.HeaderTimeoutMs)
                : default;

            // A body that already ended (all of it was buffered, or it broke a rule on buffered bytes)
            // is looked at before the response: a refused body decides the answer, whatever the upstream says.
            BodyResult? bodyResult = null;
            if (hasBody && body.IsCompleted)
            {
                bodyResult = await body;
                if (bodyResult.Value.Outcome != BodyOutcome.Done)
                {
                    destination.Release(upstream, reusable: false);
                    return HeadFailure(ResponseHeadOutcome.Failed, bodyResult.Value, hasBody, destination);
                }
            }

            var headOutcome = await ResponseHeadReader.ReadAsync(connection, upstream, responseTimeoutMs);
            if (headOutcome != ResponseHeadOutcome.Ok)
            {
                upstream.Abort();
                bodyResult ??= hasBody ? await FinishBodyAsync(connection, body) : default;
                destination.Release(upstream, reusable: false);
                if (headOutcome == ResponseHeadOutcome.ClosedBeforeResponse && reused && attempt == 0 && !hasBody && IsIdempotent(head.Method))
                {
                    continue;
                }
                return HeadFailure(headOutcome, bodyResult.Value, hasBody, destination);
            }

            var latency = Stopwatch.GetElapsedTime(sentAt);
            metrics.RecordUpstreamLatency(cluster.Name, latency);
            var response = upstream.Response;
            if (response.StatusCode == 101)
            {
                // Upgrades are not relayed yet; an upstream that switches protocols unasked is broken.
                upstream.Abort();
                destination.Release(upstream, reusable: false);
                destination.ReportFailure();
                return Refused(502, "upstream switched protocols", true, destination.AddressText);
            }

            var status = response.StatusCode;   // Release resets the pooled head: read what we need first
            var framing = response.GetFraming(head.Method);
            // A body still streaming when the response starts may never finish: promise nothing.
            var keepAlive = head.KeepAlive && framing != BodyFraming.CloseDelimited && (!hasBody || bodyResult is not null || body.IsCompleted);
            var bytesOut = ResponseHeadWriter.Write(connection.Output, response, keepAlive, head.Version == HttpVersion.Http10);
            BodyResult responseBody;
            if (framing == BodyFraming.None)
            {
                responseBody = await TryFlushAsync(connection.Output) ? new(BodyOutcome.Done, 0) : new(BodyOutcome.DestinationGone, 0);
            }
            else
            {
                responseBody = await ResponseBodyRelay.RelayAsync(connection, upstream, framing, responseTimeoutMs);
            }
            bytesOut += responseBody.Bytes;

            var requestBody = bodyResult ?? (hasBody ? await FinishBodyAsync(connection, body) : new BodyResult(BodyOutcome.Done, 0));
            var clean = responseBody.Outcome == BodyOutcome.Done && requestBody.Outcome == BodyOutcome.Done;
            var upstreamKeepAlive = response.KeepAlive;
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
                BytesOut = bytesOut,
                BodyBytesIn = requestBody.Bytes,
                Upstream = destination.AddressText,
                UpstreamLatency = latency,
                Error = responseBody.Outcome == BodyOutcome.Done ? null : ResponseBodyError(responseBody.Outcome),
            };
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<BodyResult> FinishBodyAsync(ClientConnection connection, ValueTask<BodyResult> body)
    {
        if (!body.IsCompleted) connection.StopBody();
        return await body;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> TryFlushAsync(PipeWriter output)
    {
        try
        {
            var flush = await output.FlushAsync();
            return !flush.IsCompleted && !flush.IsCanceled;
        }
        catch (Exception)
        {
            return false;
        }
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

    private static ForwardResult HeadFailure(ResponseHeadOutcome outcome, BodyResult body, bool hasBody, Destination destination)
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
