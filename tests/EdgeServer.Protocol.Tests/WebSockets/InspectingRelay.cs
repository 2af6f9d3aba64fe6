using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// One direction of a minimal relay over real sockets, used the way the daemon will: read, inspect, forward exactly
/// the consumed bytes, keep the rest for the next read.
/// </summary>
internal sealed class InspectingRelay(WebSocketInspectorOptions options)
{
    private WebSocketFrameInspector _inspector = new(options);
    private EventLog _events = new();

    public List<string> Events => _events.Lines;
    public WebSocketViolation Violation => _inspector.Violation;

    public async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(filled));
                if (read == 0) return;
                filled += read;
                var status = Inspect(buffer.AsMemory(0, filled), out var consumed);
                await to.WriteAsync(buffer.AsMemory(0, consumed));
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (status == WebSocketInspectStatus.Violation) return;
            }
        }
        catch (IOException) { } // the test tore the connections down
        catch (ObjectDisposedException) { }
    }

    private WebSocketInspectStatus Inspect(ReadOnlyMemory<byte> input, out int consumed)
    {
        lock (Events)
        {
            var status = _inspector.Inspect(input, ref _events, out var taken);
            consumed = (int)taken;
            return status;
        }
    }

    public string[] Snapshot()
    {
        lock (Events) return [.. Events];
    }
}
