using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using EdgeServer.Config.Model;

namespace EdgeServer.Upstream.Tls;

/// <summary>
/// The TLS client side for one destination: its authentication options, built once and shared by every
/// handshake to it (SslStream copies them per handshake), so the same certificate context and trust
/// policy let OpenSSL resume sessions. A failed handshake is an <see cref="UpstreamConnectException"/>.
/// </summary>
internal sealed class UpstreamTlsClient
{
    private readonly SslClientAuthenticationOptions _options;
    private readonly CertificateVerifier _verifier;

    public UpstreamTlsClient(UpstreamTlsConfig config, DnsOrIpEndPoint destination)
    {
        HandshakeTimeout = config.HandshakeTimeout;
        // serverName wins; else the destination's own host. An IP is verified against IP SANs, and
        // SslStream sends no SNI for it (RFC 6066 allows host names only).
        var name = config.ServerName ?? destination.Host;
        _verifier = new CertificateVerifier(IPAddress.TryParse(name, out _) ? name : null);
        _options = new SslClientAuthenticationOptions
        {
            TargetHost = name,
            EnabledSslProtocols = config.Protocols,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = config.Material.ChainPolicy,
            ClientCertificateContext = config.Material.ClientCertificate,
            RemoteCertificateValidationCallback = _verifier.Verify,
        };
        ServerName = name;
    }

    /// <summary>The name sent as SNI (when a DNS name) and verified.</summary>
    public string ServerName { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>
    /// Runs the handshake on <paramref name="socket"/> within <paramref name="budget"/>; the stream owns
    /// the socket from here on, and on failure both are closed. Throws <see cref="UpstreamConnectException"/>,
    /// or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fired.
    /// </summary>
    public async ValueTask<SslStream> AuthenticateAsync(
        Socket socket, DnsOrIpEndPoint endpoint, TimeSpan budget, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var stream = new VerifiedSslStream(new NetworkStream(socket, ownsSocket: true));
        var timeout = budget < HandshakeTimeout ? budget : HandshakeTimeout;
        try
        {
            if (timeout <= TimeSpan.Zero)
                throw new UpstreamConnectException($"upstream TLS handshake with {endpoint}: no time left within the connect timeout", timedOut: true);
            using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
            try
            {
                await stream.AuthenticateAsClientAsync(_options, linked.Token).ConfigureAwait(false);
                return stream;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new UpstreamConnectException(
                    $"upstream TLS handshake with {endpoint} timed out after {timeout.TotalMilliseconds:0} ms", timedOut: true,
                    reason: "upstream TLS handshake timeout");
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                var why = stream.Rejection ?? Describe(e);
                throw new UpstreamConnectException($"upstream TLS handshake with {endpoint} failed: {why}", timedOut: false, e,
                    reason: $"upstream TLS handshake failed: {why}");
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Not our verdict on the certificate: a protocol or transport failure, said in SslStream's words.</summary>
    private static string Describe(Exception e)
    {
        var inner = e.InnerException;
        if (inner is SocketException socket) return $"connection {socket.SocketErrorCode} during the handshake";
        return inner is null ? e.Message : $"{e.Message} ({inner.Message})";
    }
}
