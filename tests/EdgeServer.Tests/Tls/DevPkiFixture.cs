using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Tls;

/// <summary>A fresh dev PKI in a temp directory, shared by one test class.</summary>
public sealed class DevPkiFixture : IDisposable
{
    public DevPkiFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"edge-unit-pki-{Guid.NewGuid():N}");
        DevCertificates.Generate(Directory, DateTimeOffset.UtcNow);
    }

    public string Directory { get; }

    public string File(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
