using EdgeServer.Tls.Pki;

namespace EdgeServer.Cli;

/// <summary>`edge certs dev`: writes the development PKI, refusing to replace an existing one unless forced.</summary>
internal static class CertsDevCommand
{
    public static int Run(string outDir, bool force)
    {
        var set = new DevCertificateSet(outDir);
        if (!force)
        {
            var existing = set.Files.Where(File.Exists).ToList();
            if (existing.Count > 0)
            {
                // Replacing the CA silently would invalidate every certificate and trust store made from it.
                Console.Error.WriteLine($"edge certs dev: {outDir} already holds a dev certificate set ({existing.Count} of {set.Files.Count} files, e.g. {existing[0]}); pass --force to replace it");
                return 1;
            }
        }

        try
        {
            DevCertificates.Generate(outDir, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"edge certs dev: cannot write {outDir}: {ex.Message}");
            return 1;
        }

        Console.WriteLine($"wrote the development PKI to {outDir}:");
        foreach (var file in set.Files) Console.WriteLine($"  {file}");
        Console.WriteLine("private keys (*.key) are owner-only; never commit them (see certs/README.md)");
        Console.WriteLine();
        Console.WriteLine("try the mTLS listener with:");
        Console.WriteLine($"  curl --cacert {set.Ca.Certificate} --cert {set.ClientAlice.Certificate} --key {set.ClientAlice.Key} https://localhost:8443/");
        return 0;
    }
}
