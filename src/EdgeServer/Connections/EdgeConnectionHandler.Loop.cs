using System.Diagnostics;
using System.IO.Pipelines;
using EdgeServer.Forwarding;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Connections;

internal sealed partial class EdgeConnectionHandler
{
    /// <summary>
    /// Every request of one connection, phase by phase: read the head, route, answer (mock, error) or
    /// forward (pick, lease, send the head, read the response head, relay the response, release), log.
    /// </summary>
    /// <remarks>
    /// One method on purpose, as Kestrel's Http1Connection.ProcessRequestsAsync: its state machine is
    /// allocated once per connection, and it awaits only the pipes and the pool's lease, whose warm paths
    /// do not allocate. A nested async method per phase would box a state machine per request whenever
    /// it suspends, and with many connections interleaved on one I/O thread the builder's pool cannot
    /// absorb that. The phases' logic lives in synchronous steps (RequestHeadReader, Dispatch, Forwarder,
    /// ResponseHeadReader, ResponseBodyRelay). A request body must stream while the response head is
    /// awaited, so it runs concurrently, on the connection's reusable RequestBodyRelay (no async method).
    /// </remarks>
    private async Task ServeAsync(ClientConnection connection)
    {
        var input = connection.Input;
        var output = connection.Output;
        while (true)
        {
            // The previous request is answered and logged: its head goes back to the pool, so an idle
            // keep-alive connection holds none (it is rented again when the next request's bytes arrive).
            connection.EndRequest();

            // The server is stopping and no further request is already here: close now.
            if (connection.CloseRequested && !HasBufferedBytes(input)) return;

            // Read the request head.
            var snapshot = runtime.Current;
            connection.EnsureHeadCapacity(snapshot.RequestLimits);
            RequestHeadReader.Begin(connection, snapshot, out var started);
            HeadReadOutcome headRead;
            while (true)
            {
                var read = await input.ReadAsync();
                if (!RequestHeadReader.Step(connection, snapshot, read, ref started, out headRead)) break;
            }
            if (headRead == HeadReadOutcome.Closed) return;
            var start = Stopwatch.GetTimestamp();
            // A request runs on the config current when its head arrived, not when the connection began
            // waiting for it: an idle keep-alive connection sees a reload at its next request.
            snapshot = runtime.Current;
            if (headRead != HeadReadOutcome.Ok)
            {
                var refusal = Refuse(connection, headRead);
                await output.FlushAsync();
                Complete(connection, null, refusal.Status, 0, refusal.BytesOut, null, null, refusal.Error, start);
                return;
            }

            // WAF Body fields: read the first bytes of a Content-Length body ahead, without consuming them
            // (the relay then reads them as usual). Chunked and 100-continue bodies cannot be read ahead here:
            // Body fields treat them as oversize.
            var inspect = waf.Engine.MaxBodyInspectionBytes;
            if (inspect > 0 && connection.Head.BodyFraming != BodyFraming.None)
            {
                var head0 = connection.Head;
                if (head0.IsChunked || head0.ExpectContinue)
                {
                    connection.WafBodyTruncated = true;
                }
                else
                {
                    var want = (int)Math.Min(head0.ContentLength, inspect);
                    connection.ArmClientTimeout(snapshot.HeaderTimeoutMs);
                    while (true)
                    {
                        var read = await input.ReadAsync();
                        var buffer = read.Buffer;
                        if (buffer.Length >= want || read.IsCompleted || read.IsCanceled)
                        {
                            var prefix = buffer.Slice(0, Math.Min(buffer.Length, want));
                            connection.SetWafBody(prefix, truncated: head0.ContentLength > prefix.Length);
                            input.AdvanceTo(buffer.Start);
                            break;
                        }
                        input.AdvanceTo(buffer.Start, buffer.End);
                    }
                    connection.DisarmClientTimeout();
                }
            }

            // Route: a mock or an error is answered here.
            var dispatched = Dispatch(connection, snapshot, out var entry, out var answer);
            if (dispatched == Dispatched.AwaitRedis)
            {
                // Exact global limits: each reply is bounded by the Redis timeout, and awaiting a pooled call allocates nothing.
                var pending = connection.GlobalDecisions!;
                for (var i = 0; i < pending.Count; i++) pending.SetResult(i, await pending.Reply(i));
                dispatched = DispatchAfterRedis(connection, entry!, out answer);
            }
            if (dispatched == Dispatched.Answered)
            {
                await output.FlushAsync();
                Complete(connection, entry, answer.Status, 0, answer.BytesOut, null, null, answer.Error, start);
                if (answer.KeepAlive) continue;
                return;
            }

            // A WebSocket API route: the edge terminates the WebSocket itself (EdgeConnectionHandler.WebSocketApi.cs).
            if (entry!.WebSocketApi is { } webSocketApi)
            {
                await ServeWebSocketApiAsync(connection, entry, webSocketApi, start);
                return;
            }

            // Upgrades: a WebSocket handshake is judged here; others go on as plain HTTP (EdgeConnectionHandler.WebSocket.cs).
            if (RefusedUpgrade(connection, entry!, out answer))
            {
                await output.FlushAsync();
                Complete(connection, entry, answer.Status, 0, answer.BytesOut, null, null, answer.Error, start);
                return;
            }

            // Forward.
            var head = connection.Head;
            var cluster = entry!.Cluster!;
            var hasBody = head.BodyFraming != BodyFraming.None;
            var responseTimeoutMs = Forwarder.Prepare(connection, cluster);
            ForwardResult result;
            Destination? exclude = null;
            for (var attempt = 0; ; attempt++)
            {
                var destination = cluster.Pick(exclude);
                if (destination is null)
                {
                    result = Forwarder.NoHealthyUpstream(hasBody);
                    break;
                }
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
                    result = Forwarder.ConnectFailed(ex, hasBody, destination);
                    break;
                }

                // Send the request head.
                var reused = upstream.CompletedRequests > 0;
                RequestHeadWriter.Write(upstream.Output, connection, connection.Listener.TrustForwardedHeaders);
                bool sent;
                try
                {
                    var flush = await upstream.Output.FlushAsync();
                    sent = !flush.IsCompleted && !flush.IsCanceled;
                }
                catch (Exception)
                {
                    sent = false;
                }
                if (!sent)
                {
                    destination.Release(upstream, reusable: false);
                    if (Forwarder.RetryAfterSendFailure(destination, attempt, reused, hasBody, out result)) continue;
                    break;
                }
                var sentAt = Stopwatch.GetTimestamp();

                // The body streams concurrently with the response head read: an upstream may answer early
                // (401, 413) without reading the body, and must not deadlock against our upload.
                // The relay is the connection's own, reused: starting it allocates nothing.
                if (hasBody) connection.ResetBodyStop();
                var body = hasBody
                    ? connection.BodyRelay.Start(upstream, entry.Route.MaxBodyBytes, snapshot.HeaderTimeoutMs)
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
                        result = Forwarder.HeadFailure(ResponseHeadOutcome.Failed, bodyResult.Value, hasBody, destination);
                        break;
                    }
                }

                // Read the response head, relaying interim responses.
                ResponseHeadReader.Arm(connection, upstream, responseTimeoutMs);
                var sawBytes = false;
                ResponseHeadOutcome headOutcome;
                while (true)
                {
                    ReadResult read;
                    try
                    {
                        read = await upstream.Input.ReadAsync();
                    }
                    catch (Exception)
                    {
                        headOutcome = ResponseHeadOutcome.Failed;
                        break;
                    }
                    var step = ResponseHeadReader.Step(connection, upstream, read, responseTimeoutMs, ref sawBytes, out headOutcome);
                    if (step == ResponseHeadStep.Done) break;
                    if (step == ResponseHeadStep.FlushInterim)
                    {
                        // Guarded like every flush made while a lease is held: an exception here would skip
                        // the release below and leak the destination's in-flight count and pool slot.
                        bool clientGone;
                        try
                        {
                            clientGone = (await output.FlushAsync()).IsCompleted;
                        }
                        catch (Exception)
                        {
                            clientGone = true;
                        }
                        if (clientGone)
                        {
                            headOutcome = ResponseHeadOutcome.ClientGone;
                            break;
                        }
                        ResponseHeadReader.Arm(connection, upstream, responseTimeoutMs);
                    }
                }
                connection.DisarmUpstreamTimeout();
                if (headOutcome != ResponseHeadOutcome.Ok)
                {
                    upstream.Abort();
                    if (hasBody && bodyResult is null)
                    {
                        if (!body.IsCompleted) connection.StopBody();
                        bodyResult = await body;
                    }
                    destination.Release(upstream, reusable: false);
                    if (Forwarder.MayRetry(headOutcome, reused, attempt, hasBody, head.Method)) continue;
                    result = Forwarder.HeadFailure(headOutcome, bodyResult ?? default, hasBody, destination);
                    break;
                }
                var latency = Stopwatch.GetElapsedTime(sentAt);
                entry.ClusterMetrics!.RecordLatency(latency);
                if (upstream.Response.StatusCode == 101)
                {
                    // Only a WebSocket handshake may switch: the relay runs here until the connection ends
                    // (EdgeConnectionHandler.WebSocket.cs; in this frame, not a nested one an idle relay would keep).
                    if (connection.UpgradePolicy is null)
                    {
                        result = Forwarder.SwitchedProtocols(destination, upstream);
                        break;
                    }
                    if (!AcceptWebSocket(connection, destination, upstream, latency, out var perMessageDeflate, out result)) break;
                    var relay = StartRelay(connection, upstream, await upstream.DetachSocketAsync(), perMessageDeflate);
                    bool switched;
                    try
                    {
                        switched = !(await output.FlushAsync()).IsCompleted;
                    }
                    catch (Exception)
                    {
                        switched = false;
                    }
                    if (!switched) relay.RequestStop(0, Protocol.WebSockets.WebSocketCloseCodes.GoingAway, "client closed the connection");
                    var toClient = relay.PumpAsync(fromClient: false);
                    await relay.PumpAsync(fromClient: true);
                    await toClient;
                    await relay.LingerAsync(input);
                    result = EndRelay(connection, destination, upstream, relay, result);
                    break;
                }

                // Relay the response. A body whose every byte was already taken from the client (only its last
                // flush upstream may still be under way) does not count as pending: the upstream answered it whole.
                var requestBodyPending = hasBody && bodyResult is null && !body.IsCompleted && !connection.BodyRelay.AllRead;
                var headBytes = Forwarder.WriteResponseHead(connection, upstream, requestBodyPending, out var framing, out var keepAlive);
                BodyResult responseBody;
                if (framing == BodyFraming.None)
                {
                    try
                    {
                        var flush = await output.FlushAsync();
                        responseBody = new(flush.IsCompleted || flush.IsCanceled ? BodyOutcome.DestinationGone : BodyOutcome.Done, 0);
                    }
                    catch (Exception)
                    {
                        responseBody = new(BodyOutcome.DestinationGone, 0);
                    }
                }
                else
                {
                    var relay = new ResponseBodyRelay(upstream, framing);
                    while (true)
                    {
                        relay.Arm(connection, responseTimeoutMs);
                        ReadResult read;
                        try
                        {
                            read = await upstream.Input.ReadAsync();
                        }
                        catch (Exception)
                        {
                            responseBody = relay.Result(BodyOutcome.SourceAborted);
                            break;
                        }
                        var step = relay.Step(connection, read, out responseBody);
                        if (step == RelayStep.Done) break;
                        if (step == RelayStep.ReadAgain) continue;
                        if (step == RelayStep.FlushLast)
                        {
                            try
                            {
                                var last = await output.FlushAsync();
                                responseBody = relay.Result(last.IsCompleted ? BodyOutcome.DestinationGone : BodyOutcome.Done);
                            }
                            catch (Exception)
                            {
                                responseBody = relay.Result(BodyOutcome.DestinationGone);
                            }
                            break;
                        }
                        FlushResult flushed;
                        try
                        {
                            flushed = await output.FlushAsync();
                        }
                        catch (Exception)
                        {
                            responseBody = relay.Result(BodyOutcome.DestinationGone);
                            break;
                        }
                        if (relay.AfterFlush(flushed, out responseBody)) break;
                    }
                    connection.DisarmUpstreamTimeout();
                }

                // Release.
                if (hasBody && bodyResult is null)
                {
                    if (!body.IsCompleted && !connection.BodyRelay.AllRead) connection.StopBody();
                    bodyResult = await body;
                }
                result = Forwarder.Finish(destination, upstream, framing, keepAlive, headBytes, responseBody, bodyResult ?? new BodyResult(BodyOutcome.Done, 0), latency);
                break;
            }

            // Answer a forward that failed before any response started, and log.
            var bytesOut = result.BytesOut;
            if (!result.ResponseStarted && !result.ClientGone)
            {
                bytesOut += WriteForwardError(connection, result);
                await output.FlushAsync();
            }
            Complete(connection, entry, result.Status, result.BodyBytesIn, bytesOut, result.Upstream, result.UpstreamLatency, result.Error, start);
            if (!result.KeepAlive || result.ClientGone) return;
        }
    }

    /// <summary>Whether bytes of a next request are already buffered (a cancelled or completed read counts as none).</summary>
    private static bool HasBufferedBytes(PipeReader input)
    {
        if (!input.TryRead(out var read)) return false;
        input.AdvanceTo(read.Buffer.Start);
        return !read.IsCanceled && !read.Buffer.IsEmpty;
    }
}
