using System.Collections.Concurrent;

namespace EdgeServer.WebSockets;

/// <summary>
/// Open WebSocket connections per client identity on one route, for maxConnectionsPerKey. The identity is a string
/// the edge already holds (an API key's id, a certificate's SHA-256 hex), so admitting allocates nothing but the
/// dictionary node of a key's first connection. Kept in the route's state, so a reload keeps the counts of open
/// connections; the limit itself is the caller's, read from its snapshot.
/// </summary>
internal sealed class ConnectionsPerKey
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Identities with at least one connection open (an identity's entry goes with its last connection).</summary>
    public int TrackedKeys => _open.Count;

    /// <summary>Open connections of <paramref name="key"/> now.</summary>
    public int OpenFor(string key) => _open.GetValueOrDefault(key);

    /// <summary>False: <paramref name="key"/> already has <paramref name="max"/> open (nothing to release). True: call <see cref="Release"/> when it closes.</summary>
    public bool TryAdmit(string key, int max)
    {
        if (max <= 0) return false;
        while (true)
        {
            if (_open.TryGetValue(key, out var open))
            {
                if (open >= max) return false;
                if (_open.TryUpdate(key, open + 1, open)) return true;
            }
            else if (_open.TryAdd(key, 1))
            {
                return true;
            }
        }
    }

    public void Release(string key)
    {
        while (_open.TryGetValue(key, out var open))
        {
            if (open <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(key, open)) : _open.TryUpdate(key, open - 1, open)) return;
        }
    }
}
