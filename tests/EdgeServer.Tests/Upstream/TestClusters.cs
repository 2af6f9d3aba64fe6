using EdgeServer.Config.Model;

namespace EdgeServer.Tests.Upstream;

internal static class TestClusters
{
    public static ClusterConfig Config(params DnsOrIpEndPoint[] destinations) => new()
    {
        Name = "test",
        Destinations = destinations,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Addresses nobody connects to: for load-balancing tests that never acquire.</summary>
    public static DnsOrIpEndPoint[] Unused(int count)
    {
        var addresses = new DnsOrIpEndPoint[count];
        for (var i = 0; i < count; i++) addresses[i] = new DnsOrIpEndPoint("192.0.2." + (i + 1), 80);
        return addresses;
    }

    /// <summary>Waits (bounded) until the pooled connection has seen what the backend did: bytes or end of stream.</summary>
    public static Task PeerActivityVisibleAsync(EdgeServer.Upstream.UpstreamConnection connection) =>
        Eventually.TrueAsync(() =>
        {
            try
            {
                if (!connection.Input.TryRead(out var result)) return false;
                connection.Input.AdvanceTo(result.Buffer.Start); // leave it for the pool to find
                return result.IsCompleted || !result.Buffer.IsEmpty;
            }
            catch (IOException)
            {
                return true; // reset: the input completed with an error
            }
        }, "the connection to see the backend's bytes or close");
}
