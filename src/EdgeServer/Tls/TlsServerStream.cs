using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls;

/// <summary>
/// An SslStream that carries its handshake's state: the material it started with and the validation
/// outcome. The validation callback is shared by all connections and gets only the stream as "sender",
/// so the per-connection result lives here rather than in a closure allocated per handshake.
/// </summary>
internal sealed class TlsServerStream(Stream inner, TlsMaterial material) : SslStream(inner, leaveInnerStreamOpen: false)
{
    public TlsMaterial Material { get; } = material;
    public TlsFailure Failure { get; set; }
    public ClientIdentity? Identity { get; set; }

    public static readonly RemoteCertificateValidationCallback Validate = static (sender, certificate, chain, errors) =>
    {
        var stream = (TlsServerStream)sender;
        var validator = stream.Material.Validator!;
        var leaf = certificate as X509Certificate2;
        var failure = validator.Check(leaf, chain, errors, out var identity);
        stream.Failure = failure;
        stream.Identity = identity;
        return failure == TlsFailure.None;
    };

    public static readonly ServerOptionsSelectionCallback SelectOptions = static (_, hello, state, _) =>
        ValueTask.FromResult(((TlsServerStream)state!).Material.Selector.Select(hello.ServerName));
}
