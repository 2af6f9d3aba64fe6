using System.Runtime.InteropServices;

namespace EdgeServer.Hosting;

/// <summary>
/// Triggers a reload when the config file changes (debounced: editors write in several steps) or on
/// SIGHUP, the signal operators already use for nginx and HAProxy.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan s_debounce = TimeSpan.FromMilliseconds(300);
    private readonly FileSystemWatcher _watcher;
    private readonly PosixSignalRegistration _sighup;
    private readonly Timer _debounce;

    public ConfigWatcher(string path, Action reload)
    {
        var full = Path.GetFullPath(path);
        _debounce = new Timer(_ => reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Poke();
        _watcher.Created += (_, _) => Poke();
        _watcher.Renamed += (_, _) => Poke();
        _watcher.EnableRaisingEvents = true;
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reload();
        });
    }

    private void Poke() => _debounce.Change(s_debounce, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher.Dispose();
        _sighup.Dispose();
        _debounce.Dispose();
    }
}
