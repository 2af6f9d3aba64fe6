using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.Tls;

internal static class TlsAssertions
{
    /// <summary>The server counts a failure after the client has seen it: poll /metrics until the line shows.</summary>
    public static async Task MetricEventuallyAsync(EdgeInstance edge, string line)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string metrics;
        do
        {
            metrics = await AdminClient.GetAsync(edge, "/metrics");
            if (metrics.Contains(line, StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"metrics never showed '{line}':\n{string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("edge_tls", StringComparison.Ordinal)))}");
    }

    /// <summary>A handshake (or, in TLS 1.3, the first exchange after it) the server refuses.</summary>
    public static async Task RefusedAsync(EdgeInstance edge, Pki pki, string? certificate)
    {
        var refused = false;
        try
        {
            await using var client = await TlsClient.ConnectAsync(edge.Endpoint, pki, certificate);
            await client.GetAsync("/hello");
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            refused = true;
        }
        Assert.True(refused, $"{certificate ?? "no certificate"}: expected the server to refuse the handshake");
    }
}
