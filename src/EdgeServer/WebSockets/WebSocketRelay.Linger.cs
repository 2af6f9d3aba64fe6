using System.IO.Pipelines;

namespace EdgeServer.WebSockets;

/// <summary>When the relay's client gets a lingering close (<see cref="LingeringClose"/>).</summary>
internal sealed partial class WebSocketRelay
{
    /// <summary>After the edge's own close frame to a client whose close has not come: drain its input a while; else nothing.</summary>
    public ValueTask LingerAsync(PipeReader clientInput) =>
        _closeToClient == 0 || _fromClient.IsClosed || Volatile.Read(ref _aborted) != 0
            ? ValueTask.CompletedTask
            : LingeringClose.DrainAsync(clientInput);
}
