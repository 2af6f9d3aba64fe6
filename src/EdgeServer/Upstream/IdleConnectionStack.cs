namespace EdgeServer.Upstream;

/// <summary>
/// Idle connections of one destination, newest on top (LIFO: the warmest connection is reused first,
/// the coldest sit at the bottom where the sweeper finds them). A fixed array, so push and pop never
/// allocate. Not thread-safe: the owning <see cref="Destination"/> holds its lock around every call.
/// </summary>
internal sealed class IdleConnectionStack
{
    private readonly UpstreamConnection?[] _items;
    private int _count;

    public IdleConnectionStack(int capacity) => _items = new UpstreamConnection?[Math.Max(0, capacity)];

    public int Count => _count;

    public bool TryPush(UpstreamConnection connection)
    {
        if (_count == _items.Length) return false;
        _items[_count++] = connection;
        return true;
    }

    public bool TryPop(out UpstreamConnection connection)
    {
        if (_count == 0)
        {
            connection = null!;
            return false;
        }
        connection = _items[--_count]!;
        _items[_count] = null; // no stale reference keeps a closed connection reachable
        return true;
    }

    /// <summary>
    /// Removes the connections idle since before <paramref name="idleBefore"/> (timestamps rise from the
    /// bottom up, so they form a prefix) into <paramref name="into"/>.
    /// </summary>
    public void RemoveIdleBefore(long idleBefore, List<UpstreamConnection> into)
    {
        var expired = 0;
        while (expired < _count && _items[expired]!.IdleSince <= idleBefore) expired++;
        if (expired == 0) return;

        for (var i = 0; i < expired; i++) into.Add(_items[i]!);
        Array.Copy(_items, expired, _items, 0, _count - expired);
        Array.Clear(_items, _count - expired, expired);
        _count -= expired;
    }

    public void RemoveAll(List<UpstreamConnection> into)
    {
        for (var i = 0; i < _count; i++) into.Add(_items[i]!);
        Array.Clear(_items, 0, _count);
        _count = 0;
    }
}
