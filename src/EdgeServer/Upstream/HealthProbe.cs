using System.Net.Sockets;
using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Upstream.Tls;

namespace EdgeServer.Upstream;

/// <summary>
/// One active health probe: a fresh connection (never a pooled one, so a probe neither steals a warm
/// connection from requests nor reports a healthy pool while new connects fail), <c>GET {path}</c> with
/// <c>Connection: close</c>, and the status line parsed here: 2xx and 3xx pass. A TLS cluster's probe
/// runs the same handshake as its requests (trust, name, client certificate), so a backend whose
/// certificate is not trusted is down for probes too.
/// </summary>
internal static class HealthProbe
{
    /// <summary>A status line longer than this is not one a health endpoint sends.</summary>
    private const int MaxStatusLineBytes = 512;

    public static async Task<bool> ProbeAsync(
        DnsOrIpEndPoint endpoint, UpstreamTlsClient? tls, string path, TimeSpan timeout, TimeProvider timeProvider, CancellationToken stopping)
    {
        var started = timeProvider.GetTimestamp();
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, stopping);
        try
        {
            var socket = await SocketConnector.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            await using var stream = tls is null
                ? new NetworkStream(socket, ownsSocket: true) as Stream
                : await tls.AuthenticateAsync(socket, endpoint, timeout - timeProvider.GetElapsedTime(started), timeProvider, linked.Token).ConfigureAwait(false);
            var request = Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {endpoint}\r\nUser-Agent: edge-health\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(request, linked.Token).ConfigureAwait(false);

            var buffer = new byte[MaxStatusLineBytes];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), linked.Token).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (buffer.AsSpan(0, length).IndexOf((byte)'\n') >= 0) break;
            }
            return TryParseStatus(buffer.AsSpan(0, length), out var status) && status is >= 200 and < 400;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false; // timed out
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Refused, reset, unreachable, unknown host, a failed handshake, anything: a probe that cannot complete is a failed
            // probe, and must never end the cluster's health loop.
            return false;
        }
    }

    /// <summary>"HTTP/1.x SSS" at the start of the response; the reason phrase is not needed.</summary>
    internal static bool TryParseStatus(ReadOnlySpan<byte> response, out int status)
    {
        status = 0;
        if (response.Length < 12 || !response.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)response[7]) || response[8] != (byte)' ')
            return false;
        for (var i = 9; i < 12; i++)
        {
            if (!char.IsAsciiDigit((char)response[i])) return false;
            status = (status * 10) + (response[i] - '0');
        }
        return response.Length == 12 || response[12] is (byte)' ' or (byte)'\r' or (byte)'\n';
    }
}
