using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Config;

/// <summary>
/// The embedded default config's mTLS listener names certs/dev relative to the working directory, as
/// `edge run` creates it there on first run; tests that load the default make it the same way.
/// </summary>
internal static class DefaultConfigCertificates
{
    private static readonly Lock s_lock = new();

    public static void Ensure()
    {
        lock (s_lock)
        {
            if (!DevCertificates.Exists(DevCertificates.DefaultDirectory))
                DevCertificates.Generate(DevCertificates.DefaultDirectory, DateTimeOffset.UtcNow);
        }
    }
}
