using System.Collections.Concurrent;
using EdgeServer.Http;

namespace EdgeServer.Connections;

/// <summary>
/// One timer for all connections (Kestrel's heartbeat idea): once a second it refreshes the cached
/// Date header and enforces read deadlines, so arming a timeout on the data path is one volatile write
/// instead of a timer or CancellationTokenSource per request.
/// </summary>
internal sealed class ConnectionHeartbeat : IDisposable
{
    private readonly ConcurrentDictionary<ClientConnection, byte> _connections = new();
    private readonly Timer _timer;

    public ConnectionHeartbeat()
    {
        _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Add(ClientConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(ClientConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>Every connection serving requests now (for sweeps after a reload, not the data path).</summary>
    public IEnumerable<ClientConnection> Connections => _connections.Keys;

    private void Tick()
    {
        DateHeader.Refresh(DateTimeOffset.UtcNow);
        var now = Environment.TickCount64;
        foreach (var (connection, _) in _connections)
        {
            connection.OnHeartbeat(now);
        }
    }

    public void Dispose() => _timer.Dispose();
}
