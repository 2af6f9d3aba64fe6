using System.Security.Cryptography;

namespace EdgeServer.Config.Tls;

/// <summary>
/// Reads the certificate and key files a config names, once per load, into memory and into the
/// material's fingerprint. Failures are messages for the config error at the key that named the file.
/// </summary>
internal sealed class TlsFileReader(string configDirectory) : IDisposable
{
    /// <summary>A bundle of every public CA is ~250 KiB; anything near this is the wrong file.</summary>
    public const long MaxFileBytes = 4L * 1024 * 1024;

    private readonly IncrementalHash _fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Relative paths are relative to the config file's directory, not to wherever edge was started.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, configDirectory);

    public bool TryRead(string fullPath, out byte[] content, out string error)
    {
        content = [];
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                error = Directory.Exists(fullPath) ? $"expected a file, but {fullPath} is a directory" : $"file not found: {fullPath}";
                return false;
            }
            if (info.Length > MaxFileBytes)
            {
                error = $"{fullPath} is {info.Length} bytes; expected at most {MaxFileBytes} for a certificate or key file";
                return false;
            }
            content = File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException)
        {
            error = $"cannot read {fullPath}: {e.Message}";
            return false;
        }
        // The path goes in too: the same bytes moved to another file is still a changed setting.
        _fingerprint.AppendData(Encoding.UTF8.GetBytes(fullPath));
        _fingerprint.AppendData(content);
        error = "";
        return true;
    }

    /// <summary>SHA-256 over every file read (paths and contents), in the order read.</summary>
    public byte[] Fingerprint() => _fingerprint.GetHashAndReset();

    public void Dispose() => _fingerprint.Dispose();
}
