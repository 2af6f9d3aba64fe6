namespace EdgeServer.ApiKeys;

/// <summary>
/// Serialises `edge keys create|revoke` runs on one store: each reads the file, changes it and renames a new one
/// into place, so two at once would lose one's change. An exclusive lock on a sibling file
/// (<c>.keys.yaml.lock</c>; the store itself is replaced by rename, so it cannot carry the lock) is held from the
/// read to the rename. The lock file stays; it is empty and harmless.
/// </summary>
internal sealed class ApiKeyStoreLock : IDisposable
{
    /// <summary>A create or revoke holds the lock for milliseconds; waiting longer means another one is stuck.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly FileStream _file;

    private ApiKeyStoreLock(FileStream file) => _file = file;

    public static string PathFor(string storePath)
    {
        var full = Path.GetFullPath(storePath);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.lock");
    }

    /// <exception cref="TimeoutException">Another process held the lock for longer than <paramref name="timeout"/>.</exception>
    public static ApiKeyStoreLock Acquire(string storePath, TimeSpan timeout)
    {
        var path = PathFor(storePath);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock(2) on Unix: released by the kernel if the process dies.
                return new ApiKeyStoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(path))
            {
                Thread.Sleep(25);
            }
            catch (IOException ex) when (File.Exists(path))
            {
                throw new TimeoutException($"another `edge keys` command holds {path} (waited {timeout.TotalSeconds:0}s)", ex);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
