using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls;

/// <summary>Raised when a certificate, key or bundle file cannot be used; the message names the file and the reason.</summary>
internal sealed class TlsFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Loads certificates, keys and CA bundles from PEM or PFX files with errors an operator can act on
/// ("key does not match the certificate", not a CryptographicException from deep inside OpenSSL).
/// </summary>
internal static class CertificateFiles
{
    /// <summary>A server certificate with its private key, and the chain certificates that followed it in the file.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadPem(string certificateFile, string keyFile)
    {
        var all = LoadPemCertificates(certificateFile);
        string keyPem = ReadText(keyFile);
        if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new TlsFileException($"{keyFile}: no PEM private key found (expected a '-----BEGIN PRIVATE KEY-----' block)");
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile), keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new TlsFileException($"{keyFile}: the key does not match the certificate in {certificateFile}, or is encrypted or unsupported: {ex.Message}", ex);
        }
        all.RemoveAt(0);
        return (leaf, all);
    }

    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadPfx(string pfxFile, string? password)
    {
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(pfxFile, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new TlsFileException($"{pfxFile}: cannot open the PFX (wrong password or not a PKCS#12 file): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new TlsFileException($"{pfxFile}: {ex.Message}", ex);
        }
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new TlsFileException($"{pfxFile}: the PFX holds no certificate with a private key");
        all.Remove(leaf);
        return (leaf, all);
    }

    /// <summary>Every certificate in a PEM file, in file order; at least one.</summary>
    public static X509Certificate2Collection LoadPemCertificates(string file)
    {
        var text = ReadText(file);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new TlsFileException($"{file}: a certificate in the file is malformed: {ex.Message}", ex);
        }
        if (certificates.Count == 0)
            throw new TlsFileException($"{file}: no PEM certificate found (expected '-----BEGIN CERTIFICATE-----' blocks)");
        return certificates;
    }

    /// <summary>A CA bundle: every certificate in it must be a CA, or a leaf pasted by mistake would be trusted to issue.</summary>
    public static X509Certificate2Collection LoadCaBundle(string file)
    {
        var bundle = LoadPemCertificates(file);
        foreach (var certificate in bundle)
        {
            var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (constraints is not { CertificateAuthority: true })
                throw new TlsFileException($"{file}: '{certificate.Subject}' is not a CA certificate (basicConstraints CA:TRUE missing); a CA bundle holds only CAs");
        }
        return bundle;
    }

    private static string ReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (FileNotFoundException)
        {
            throw new TlsFileException($"{file}: file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new TlsFileException($"{file}: file not found (no such directory)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException($"{file}: cannot read: {ex.Message}", ex);
        }
    }
}
