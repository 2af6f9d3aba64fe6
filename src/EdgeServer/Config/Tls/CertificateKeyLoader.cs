using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Config.Tls;

/// <summary>Which configured file a certificate error is about, so the error points at that key.</summary>
internal enum CertificateKeyProblem
{
    None,
    Certificate,
    Key,
}

/// <summary>
/// A certificate with its private key: a PEM file (leaf first, then intermediates) with a PEM key (in its
/// own file or the same one), or a PKCS#12 file. Used for listener server certificates and for the client
/// certificate presented to backends. Each failure says which file and why: missing, not PEM, encrypted
/// without a password, a key type the certificate does not have, or a key that belongs to another certificate.
/// </summary>
/// <param name="KeyOption">The config key that names the key file, for messages ("key", "clientKey").</param>
/// <param name="PasswordOption">The config key of the password, for messages.</param>
internal sealed record CertificateKeyLoader(string KeyOption, string PasswordOption)
{
    public static CertificateKeyLoader Listener { get; } = new("key", "password");
    public static CertificateKeyLoader UpstreamClient { get; } = new("clientKey", "clientKeyPassword");

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    public static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    /// <summary>The leaf with its key and the chain certificates that came with it; null with <paramref name="error"/> set on failure.</summary>
    public X509Certificate2? Load(
        TlsFileReader files, string certificatePath, string? keyPath, string? password,
        out X509Certificate2Collection chain, out CertificateKeyProblem problem, out string error)
    {
        X509Certificate2? leaf;
        chain = [];
        problem = CertificateKeyProblem.Certificate;
        var fullPath = files.Resolve(certificatePath);
        if (!files.TryRead(fullPath, out var content, out error)) return null;
        if (IsPkcs12(fullPath))
        {
            leaf = FromPkcs12(content, fullPath, password, out chain, out error);
        }
        else
        {
            leaf = FromPem(files, content, fullPath, keyPath, password, out chain, out problem, out error);
        }
        if (leaf is null) return null;
        problem = CertificateKeyProblem.None;
        return leaf;
    }

    private X509Certificate2? FromPkcs12(byte[] content, string fullPath, string? password, out X509Certificate2Collection chain, out string error)
    {
        chain = [];
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(content, password);
        }
        catch (CryptographicException e)
        {
            error = $"cannot open {fullPath} as PKCS#12{(password is null ? $" (no '{PasswordOption}' set)" : "")}: {e.Message}";
            return null;
        }
        X509Certificate2? leaf = null;
        foreach (var certificate in all)
        {
            if (leaf is null && certificate.HasPrivateKey) leaf = certificate;
            else chain.Add(certificate);
        }
        error = leaf is null ? $"no certificate with a private key in {fullPath}" : "";
        return leaf;
    }

    private X509Certificate2? FromPem(
        TlsFileReader files, byte[] content, string fullPath, string? keyPath, string? password,
        out X509Certificate2Collection chain, out CertificateKeyProblem problem, out string error)
    {
        chain = [];
        problem = CertificateKeyProblem.Certificate;
        var pem = Encoding.ASCII.GetString(content);
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            error = $"malformed PEM certificate in {fullPath}: {e.Message}";
            return null;
        }
        if (chain.Count == 0)
        {
            error = $"no certificate in {fullPath}: expected PEM blocks '-----BEGIN CERTIFICATE-----' (leaf first, then its chain), or a .pfx/.p12 file";
            return null;
        }
        var certificate = chain[0];
        chain.RemoveAt(0);

        // The key: its own file, or a PRIVATE KEY block next to the certificates.
        var keyFullPath = fullPath;
        var keyPem = pem;
        if (keyPath is not null)
        {
            problem = CertificateKeyProblem.Key;
            keyFullPath = files.Resolve(keyPath);
            if (!files.TryRead(keyFullPath, out var keyContent, out error)) return null;
            keyPem = Encoding.ASCII.GetString(keyContent);
        }
        var leaf = WithKey(certificate, keyPem, keyFullPath, password, keyPath is null, out error);
        if (leaf is null) problem = CertificateKeyProblem.Key;
        return leaf;
    }

    private X509Certificate2? WithKey(X509Certificate2 certificate, string keyPem, string keyFullPath, string? password, bool sameFile, out string error)
    {
        var label = FindKeyLabel(keyPem);
        if (label is null)
        {
            error = sameFile
                ? $"no private key in {keyFullPath}; set '{KeyOption}' to the PEM key file"
                : $"no private key in {keyFullPath}: expected a PEM block 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY'";
            return null;
        }
        var encrypted = label == "ENCRYPTED PRIVATE KEY";
        if (encrypted && password is null)
        {
            error = $"the private key in {keyFullPath} is encrypted; set '{PasswordOption}'";
            return null;
        }
        var algorithm = certificate.GetKeyAlgorithm();
        AsymmetricAlgorithm key = algorithm switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => null!,
        };
        if (key is null)
        {
            error = $"the certificate's key algorithm ({algorithm}) is not supported; expected RSA or ECDSA";
            return null;
        }
        var keyType = key is RSA ? "RSA" : "ECDSA";
        using (key)
        {
            try
            {
                if (encrypted) key.ImportFromEncryptedPem(keyPem, password);
                else key.ImportFromPem(keyPem);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                error = $"cannot read the private key in {keyFullPath} as {keyType} (the certificate's key type){(encrypted ? ", or the password is wrong" : "")}: {e.Message}";
                return null;
            }
            try
            {
                error = "";
                return key is RSA rsa ? certificate.CopyWithPrivateKey(rsa) : certificate.CopyWithPrivateKey((ECDsa)key);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                error = $"the private key in {keyFullPath} does not match the certificate ({certificate.Subject})";
                return null;
            }
        }
    }

    private static string? FindKeyLabel(string pem)
    {
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label is "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "ENCRYPTED PRIVATE KEY") return label;
            rest = rest[fields.Location.End..];
        }
        return null;
    }
}
