using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Tls;

namespace EdgeServer.Tls;

/// <summary>Raised when a certificate, key or bundle file cannot be used; the message names the file and the reason.</summary>
internal sealed class TlsFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Listener certificate files through the loaders the upstream TLS config uses (one reading of PEM, PKCS#12,
/// keys and bundles in the code base), turned into exceptions for <see cref="TlsMaterial"/>'s all-or-nothing load.
/// Paths arrive absolute: the binder resolved them against the config file's directory.
/// </summary>
internal static class CertificateFiles
{
    /// <summary>A server certificate with its private key, and the chain certificates that came with it.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadServerCertificate(string certificateOrPfx, string? keyFile, string? password)
    {
        using var files = new TlsFileReader(Directory.GetCurrentDirectory());
        var leaf = CertificateKeyLoader.Listener.Load(files, certificateOrPfx, keyFile, password, out var chain, out _, out var error);
        return leaf is null ? throw new TlsFileException(error) : (leaf, chain);
    }

    /// <summary>A CA bundle: every certificate in it must be a CA, or a leaf pasted by mistake would be trusted to issue.</summary>
    public static X509Certificate2Collection LoadCaBundle(string file)
    {
        using var files = new TlsFileReader(Directory.GetCurrentDirectory());
        var bundle = TrustBundle.Load(files, file, out var error) ?? throw new TlsFileException(error);
        foreach (var certificate in bundle)
        {
            var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (constraints is not { CertificateAuthority: true })
                throw new TlsFileException($"{file}: '{certificate.Subject}' is not a CA certificate (basicConstraints CA:TRUE missing); a CA bundle holds only CAs");
        }
        return bundle;
    }
}
