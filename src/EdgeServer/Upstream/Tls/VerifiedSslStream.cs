using System.Net.Security;

namespace EdgeServer.Upstream.Tls;

/// <summary>An SslStream that carries its certificate verdict from the validation callback to the handshake's caller.</summary>
internal sealed class VerifiedSslStream(Stream inner) : SslStream(inner, leaveInnerStreamOpen: false)
{
    /// <summary>Why <see cref="CertificateVerifier"/> refused the backend's certificate; null if it did not.</summary>
    public string? Rejection { get; set; }
}
