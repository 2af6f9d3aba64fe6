using System.Buffers;
using System.Collections.Concurrent;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// A memory pool of fixed, large, pinned blocks for the socket pipes of both sides: upstream connections
/// and, through <c>Hosting/LargeBlockPoolFactory</c>, Kestrel's client listeners. Kestrel's pool hands out
/// 4 KiB blocks, so each receive read at most 4 KiB and the inline relay sent one 4 KiB write per
/// receive (docs/performance.md finding 4); 32 KiB blocks cut both syscall counts by ~8x.
/// Blocks are pinned (the socket layer then never pins per operation) and never freed: the pool only
/// grows to the peak number of blocks held at once, like Kestrel's.
/// </summary>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _leased;

    /// <summary>One pool for all sockets of the process (upstream connections and client listeners).</summary>
    public static new BlockMemoryPool Shared { get; } = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks leased out right now (tests check that idle connections hold none).</summary>
    public int Leased => Volatile.Read(ref _leased);

    /// <summary>A whole block; <paramref name="minBufferSize"/> above <see cref="BlockSize"/> is the pipe's bug, not ours.</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        Interlocked.Increment(ref _leased);
        if (_free.TryDequeue(out var block))
        {
            block.Leased = true;
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        Interlocked.Decrement(ref _leased);
        _free.Enqueue(block);
    }

    /// <summary>Nothing to release: blocks are ordinary (pinned) GC arrays that live as long as the process.</summary>
    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>The block is its own owner, so renting allocates nothing once the pool is warm.</summary>
    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly BlockMemoryPool _pool;

        public Block(BlockMemoryPool pool)
        {
            _pool = pool;
            Memory = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
            Leased = true;
        }

        public Memory<byte> Memory { get; }

        public bool Leased { get; set; }

        public void Dispose()
        {
            // A double return would hand one block to two segments and corrupt both streams.
            if (!Leased) return;
            Leased = false;
            _pool.Return(this);
        }
    }
}
