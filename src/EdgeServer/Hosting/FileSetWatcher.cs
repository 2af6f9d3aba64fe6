namespace EdgeServer.Hosting;

/// <summary>
/// Calls back (debounced) when any of a set of files is written, created, replaced or renamed into place:
/// certificates, CRLs, rule files, IP sets, the geo database.
/// Watches the directories rather than the files, because rotation tools (certbot, cert-manager's
/// symlink swap) replace files instead of writing them in place.
/// </summary>
internal sealed class FileSetWatcher : IDisposable
{
    private static readonly TimeSpan s_debounce = TimeSpan.FromMilliseconds(300);
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly HashSet<string> _names;
    private readonly Timer _debounce;

    public FileSetWatcher(IEnumerable<string> files, Action changed)
    {
        var full = files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        _names = new HashSet<string>(full.Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal);
        _debounce = new Timer(_ => changed(), null, Timeout.Infinite, Timeout.Infinite);
        foreach (var directory in full.Select(Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(directory)) continue;
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, e) => Poke(e.Name);
            watcher.Created += (_, e) => Poke(e.Name);
            watcher.Renamed += (_, e) => Poke(e.Name);
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    private void Poke(string? name)
    {
        // "..data" swaps (Kubernetes secret volumes) change no watched name: any change in the directory counts then.
        if (name is null || _names.Contains(Path.GetFileName(name)) || name.StartsWith("..", StringComparison.Ordinal))
            _debounce.Change(s_debounce, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers) watcher.Dispose();
        _debounce.Dispose();
    }
}
