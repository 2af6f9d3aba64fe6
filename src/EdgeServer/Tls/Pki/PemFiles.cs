using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>Writes certificates and private keys as PEM; key files are created owner-only (0600) on Unix.</summary>
internal static class PemFiles
{
    public static void WriteCertificates(string path, params ReadOnlySpan<X509Certificate2> certificates)
    {
        var pem = new StringBuilder();
        foreach (var certificate in certificates) pem.Append(certificate.ExportCertificatePem()).Append('\n');
        File.WriteAllText(path, pem.ToString());
    }

    public static void WriteCrl(string path, byte[] der) =>
        File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der) + "\n");

    public static void WritePrivateKey(string path, AsymmetricAlgorithm key)
    {
        // Deleting first matters: the create mode applies only to a new file, and an old key file may be world-readable.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write(key.ExportPkcs8PrivateKeyPem());
        writer.Write('\n');
    }
}
