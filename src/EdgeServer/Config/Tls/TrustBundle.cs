using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Config.Tls;

/// <summary>A PEM bundle of CA certificates: the roots a backend's chain must lead to.</summary>
internal static class TrustBundle
{
    public static X509Certificate2Collection? Load(TlsFileReader files, string path, out string error)
    {
        var fullPath = files.Resolve(path);
        if (!files.TryRead(fullPath, out var content, out error)) return null;
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(content));
        }
        catch (CryptographicException e)
        {
            error = $"malformed PEM certificate in {fullPath}: {e.Message}";
            return null;
        }
        if (roots.Count == 0)
        {
            error = $"no certificate in {fullPath}: expected PEM blocks '-----BEGIN CERTIFICATE-----'";
            return null;
        }
        return roots;
    }
}
