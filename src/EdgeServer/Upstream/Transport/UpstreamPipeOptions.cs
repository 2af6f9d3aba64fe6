using System.IO.Pipelines;

namespace EdgeServer.Upstream.Transport;

/// <summary>The pipe settings of every upstream transport, plain or TLS: 32 KiB blocks, inline scheduling.</summary>
internal static class UpstreamPipeOptions
{
    public static PipeOptions SharedInput { get; } = Input(BlockMemoryPool.Shared);
    public static PipeOptions SharedOutput { get; } = Output(BlockMemoryPool.Shared);

    // Input pauses at Kestrel's default (1 MiB), output at its default write limit (64 KiB), as before.
    public static PipeOptions Input(BlockMemoryPool pool) => new(
        pool,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: BlockMemoryPool.BlockSize,
        useSynchronizationContext: false);

    public static PipeOptions Output(BlockMemoryPool pool) => new(
        pool,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 64 * 1024,
        resumeWriterThreshold: 32 * 1024,
        minimumSegmentSize: BlockMemoryPool.BlockSize,
        useSynchronizationContext: false);
}
