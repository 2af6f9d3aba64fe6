using System.Buffers;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSocketApi;

// Delivery to the backend: a connection's messages reach it one at a time and in the order they arrived. The queue
// and its delivery task exist only while messages are waiting; a full queue closes the connection with 1008 (the
// client outruns its backend, and buffering more would let one client pin maxQueuedMessages × maxMessageBytes and
// more), counted in edge_wsapi_messages_dropped_total{reason="queue_full"}.
internal sealed partial class WebSocketApiConnection
{
    private readonly record struct QueuedMessage(byte[]? Array, int Length, bool Binary, RouteKeyTarget Target);

    private readonly Lock _gate = new();
    private Queue<QueuedMessage>? _queue;
    private bool _delivering;
    private Task? _delivery;

    private void Enqueue(QueuedMessage message)
    {
        bool start;
        lock (_gate)
        {
            var queue = _queue ??= new Queue<QueuedMessage>(4);
            if (queue.Count >= Route.Config.MaxQueuedMessages)
            {
                start = false;
                message = message with { Target = null! };
            }
            else
            {
                queue.Enqueue(message);
                start = !_delivering;
                _delivering = true;
            }
        }
        if (message.Target is null)
        {
            if (message.Array is not null) ArrayPool<byte>.Shared.Return(message.Array);
            Route.Metrics.QueueFull();
            RequestClose(WebSocketCloseCodes.PolicyViolation, "too many messages waiting for the backend");
            return;
        }
        if (start) _delivery = DeliverQueuedAsync();
    }

    /// <summary>Waits until every message received has been delivered (the connection ended; $disconnect comes after them).</summary>
    public Task DeliveredAsync() => _delivery ?? Task.CompletedTask;

    private async Task DeliverQueuedAsync()
    {
        while (true)
        {
            QueuedMessage message;
            lock (_gate)
            {
                if (_queue is null || !_queue.TryDequeue(out message))
                {
                    _queue = null;
                    _delivering = false;
                    return;
                }
            }
            try
            {
                await DeliverAsync(message).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Whatever went wrong with this call, the next message must still be delivered: a delivery loop
                // that died here would leave the connection open and deaf.
                WebSocketApiMetrics.Call(message.Target.Cells, BackendResult.Error);
            }
            finally
            {
                if (message.Array is not null) ArrayPool<byte>.Shared.Return(message.Array);
            }
        }
    }

    private async Task DeliverAsync(QueuedMessage message)
    {
        var target = message.Target;
        var call = new IntegrationCall
        {
            Path = target.Path,
            RouteKey = target.Key,
            EventType = IntegrationCall.Message,
            Connection = this,
            Body = message.Array,
            BodyLength = message.Length,
            Binary = message.Binary,
        };
        using var result = await Route.Client.CallAsync(call, Route.BackendTimeout, Route.MaxMessageBytes).ConfigureAwait(false);
        WebSocketApiMetrics.Call(target.Cells, result.Result);
        if (!target.Reply || !result.Succeeded || result.BodyMemory.IsEmpty) return;
        var binary = MessageKind.IsBinary(result.ContentType, result.Body);
        if (await SendAsync(result.BodyMemory, binary).ConfigureAwait(false) == SendResult.Sent) Route.Metrics.MessageOut(result.BodyMemory.Length, push: false);
    }
}
