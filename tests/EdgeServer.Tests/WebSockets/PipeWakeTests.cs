using System.IO.Pipelines;
using EdgeServer.WebSockets;

namespace EdgeServer.Tests.WebSockets;

/// <summary>Waking a side the relay has already completed is a no-op, also on the stream pipes a TLS listener gives.</summary>
public sealed class PipeWakeTests
{
    [Fact]
    public async Task A_completed_stream_pipe_writer_is_woken_without_an_exception()
    {
        var writer = PipeWriter.Create(new MemoryStream());
        writer.GetSpan(1)[0] = 1;
        writer.Advance(1);
        await writer.FlushAsync();
        await writer.CompleteAsync();
        Assert.Throws<ObjectDisposedException>(writer.CancelPendingFlush); // what the relay met at shutdown
        PipeWake.CancelFlush(writer);
    }
}
