using System.Collections.Frozen;
using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Upstream;

/// <summary>
/// The live clusters by name, across config reloads. A reload keeps a cluster instance (its warm pool,
/// health state and in-flight counts) when its config is structurally unchanged, builds new instances
/// for new or changed clusters, and retires the rest: health checks stop and idle connections close
/// at once, leased connections close when their requests release them.
/// </summary>
internal sealed class ClusterRegistry : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly UpstreamConnectionFactory? _connectionFactory;
    private readonly HttpParserLimits? _responseLimits;
    private readonly Lock _lock = new();
    private readonly List<Task> _retiring = [];
    private FrozenDictionary<string, UpstreamCluster> _current = FrozenDictionary<string, UpstreamCluster>.Empty;
    private bool _disposed;

    public ClusterRegistry(
        TimeProvider? timeProvider = null,
        UpstreamConnectionFactory? connectionFactory = null,
        HttpParserLimits? responseLimits = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _connectionFactory = connectionFactory;
        _responseLimits = responseLimits;
    }

    /// <summary>The map the last <see cref="Apply"/> returned.</summary>
    public FrozenDictionary<string, UpstreamCluster> Current => Volatile.Read(ref _current);

    /// <summary>
    /// Makes <paramref name="configs"/> the live set (names must be unique; config validation sees to
    /// that) and returns the new immutable map. Retirement of replaced clusters runs in the background;
    /// <see cref="DisposeAsync"/> waits for it.
    /// </summary>
    public FrozenDictionary<string, UpstreamCluster> Apply(IReadOnlyList<ClusterConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var previous = _current;
            var next = new Dictionary<string, UpstreamCluster>(configs.Count, StringComparer.Ordinal);
            foreach (var config in configs)
            {
                // Checked before anything is built: a duplicate would leak the first instance's timers.
                if (!next.TryAdd(config.Name, null!)) throw new ArgumentException($"cluster '{config.Name}' is defined twice", nameof(configs));
            }

            var created = new List<UpstreamCluster>();
            try
            {
                foreach (var config in configs)
                {
                    if (previous.TryGetValue(config.Name, out var existing) && ClusterConfigComparer.Instance.Equals(existing.Config, config))
                    {
                        next[config.Name] = existing;
                        continue;
                    }
                    var cluster = new UpstreamCluster(config, _time, _connectionFactory, _responseLimits);
                    created.Add(cluster);
                    next[config.Name] = cluster;
                }
            }
            catch
            {
                // Nothing half-applied: the previous map stays live, and what was built for the new one goes.
                foreach (var cluster in created) _retiring.Add(cluster.DisposeAsync().AsTask());
                throw;
            }

            foreach (var (name, cluster) in previous)
            {
                if (!next.TryGetValue(name, out var kept) || !ReferenceEquals(kept, cluster))
                    _retiring.Add(cluster.DisposeAsync().AsTask());
            }
            _retiring.RemoveAll(static t => t.IsCompleted);

            var frozen = next.ToFrozenDictionary(StringComparer.Ordinal);
            Volatile.Write(ref _current, frozen);
            return frozen;
        }
    }

    /// <summary>Pool and health gauges of every destination of every live cluster.</summary>
    public void CollectStats(ICollection<DestinationStats> into)
    {
        foreach (var cluster in Current.Values) cluster.CollectStats(into);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var cluster in _current.Values) _retiring.Add(cluster.DisposeAsync().AsTask());
            _current = FrozenDictionary<string, UpstreamCluster>.Empty;
            pending = [.. _retiring];
            _retiring.Clear();
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
    }
}
