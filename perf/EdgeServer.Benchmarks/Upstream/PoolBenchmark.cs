using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Benchmarks.Upstream;

/// <summary>
/// The per-request upstream cost on the warm path: pick a destination, lease a pooled connection,
/// give it back. Expected: no allocation, tens of nanoseconds. Backends are a loopback listener
/// that accepts and holds connections (nothing is written: the pool is what is measured).
/// </summary>
[MemoryDiagnoser]
public class PoolBenchmark
{
    private TcpListener _listener = null!;
    private readonly List<Socket> _accepted = [];
    private UpstreamCluster _roundRobin = null!;
    private UpstreamCluster _powerOfTwo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = AcceptAsync();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _roundRobin = Warm(Cluster(port, LoadBalancingPolicy.RoundRobin));
        _powerOfTwo = Warm(Cluster(port, LoadBalancingPolicy.PowerOfTwoChoices));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _roundRobin.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _powerOfTwo.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _listener.Stop();
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
    }

    [Benchmark]
    public object? Pick_RoundRobin() => _roundRobin.Pick();

    [Benchmark]
    public object? Pick_PowerOfTwoChoices() => _powerOfTwo.Pick();

    [Benchmark(Baseline = true)]
    public int PickAcquireRelease_RoundRobin() => Lease(_roundRobin);

    [Benchmark]
    public int PickAcquireRelease_PowerOfTwoChoices() => Lease(_powerOfTwo);

    private static int Lease(UpstreamCluster cluster)
    {
        var destination = cluster.Pick()!;
        var pending = destination.AcquireAsync(CancellationToken.None);
        // The pooled path completes synchronously; anything else would be a pool miss, which this benchmark must not hit.
        if (!pending.IsCompletedSuccessfully) throw new InvalidOperationException("pool miss on the warm path");
        var connection = pending.Result;
        destination.Release(connection, reusable: true);
        destination.ReportSuccess();
        return connection.CompletedRequests;
    }

    private static UpstreamCluster Cluster(int port, LoadBalancingPolicy policy) => new(new ClusterConfig
    {
        Name = policy.ToString(),
        Destinations = [new("127.0.0.1", port), new("127.0.0.1", port), new("127.0.0.1", port)],
        LoadBalancing = policy,
        IdleTimeout = TimeSpan.FromHours(1), // the sweep must not close connections mid-run
    });

    /// <summary>One idle connection per destination, so every lease in the run hits the pool.</summary>
    private static UpstreamCluster Warm(UpstreamCluster cluster)
    {
        foreach (var destination in cluster.Destinations)
        {
            var connection = destination.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            destination.Release(connection, reusable: true);
        }
        return cluster;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            lock (_accepted) _accepted.Add(socket);
        }
    }
}
