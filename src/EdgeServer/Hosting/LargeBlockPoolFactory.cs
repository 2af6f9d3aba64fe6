using System.Buffers;
using EdgeServer.Upstream.Transport;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Hosting;

/// <summary>
/// Gives Kestrel's listeners the same 32 KiB pinned blocks as upstream connections, so a client
/// receive or send moves up to 32 KiB rather than Kestrel's 4 KiB blocks.
/// </summary>
internal sealed class LargeBlockPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => BlockMemoryPool.Shared;
}
