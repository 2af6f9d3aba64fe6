using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Hosting;
using EdgeServer.Policy.Waf;
using EdgeServer.Waf.Compiler;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Waf;

/// <summary>
/// The web ACLs of the running config: one slot per rule file, the geo database, and the watcher that
/// recompiles rule files, IP sets and the database when they change. A file that no longer compiles is
/// refused whole and logged; its slot keeps the running ACL.
/// </summary>
internal sealed partial class WafEngine : IDisposable
{
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Dictionary<string, WafAclSlot> _slots = new(StringComparer.Ordinal);
    private FileSetWatcher? _watcher;
    private long _reloadSuccesses;
    private int _maxBodyInspectionBytes;
    private long _reloadFailures;

    public WafEngine(ILogger logger, TimeProvider? clock = null)
    {
        _logger = logger;
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The clock rate-based rules count on.</summary>
    public TimeProvider Clock { get; }

    public WafCounterRegistry Counters { get; } = new();
    public GeoCountryResolver Geo { get; } = new();
    public WafMetrics Metrics { get; } = new();

    /// <summary>Called after a reload swapped connection ACLs: the host closes open connections they now block.</summary>
    public event Action? ConnectionAclsChanged;

    /// <summary>The most any running ACL reads ahead of a body for Body fields (0: no rule inspects bodies, nothing is read ahead).</summary>
    public int MaxBodyInspectionBytes => Volatile.Read(ref _maxBodyInspectionBytes);

    public long ReloadSuccesses => Volatile.Read(ref _reloadSuccesses);
    public long ReloadFailures => Volatile.Read(ref _reloadFailures);
    public IEnumerable<WafAclSlot> Slots => _slots.Values;

    /// <summary>
    /// Compiles every rule file <paramref name="config"/> names and opens its geo database; throws
    /// (<see cref="WafCompileException"/>, geo errors) before changing anything if any of it fails.
    /// </summary>
    public WafAssignments Apply(EdgeConfig config)
    {
        lock (_lock)
        {
            var paths = config.Listeners.SelectMany(l => l.Waf?.Files ?? []).Concat(config.Routes.SelectMany(r => r.Waf?.Files ?? []))
                .Distinct(StringComparer.Ordinal).ToList();
            var compiled = new Dictionary<string, WafCompileResult>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var result = WafCompiler.CompileFile(path, Counters, DateTimeOffset.UtcNow, _slots.GetValueOrDefault(path)?.Acl, Clock);
                if (!result.Ok) throw new WafCompileException(result.Errors);
                compiled[path] = result;
            }
            if (config.Geo != Geo.Config) Geo.Load(config.Geo);

            var slots = new Dictionary<string, WafAclSlot>(StringComparer.Ordinal);
            foreach (var (path, result) in compiled)
            {
                if (_slots.TryGetValue(path, out var slot)) slot.Swap(result.Acl!);
                else slot = new WafAclSlot(path, result.Acl!);
                slots[path] = slot;
                foreach (var notice in result.Notices) LogNotice(_logger, notice);
            }
            _slots = slots;
            UpdateBodyInspection();
            Watch(compiled.Values.SelectMany(r => r.Files).Concat(config.Geo.Database is { } db ? [db] : []));

            WafSet SetOf(WafFilesConfig? files) => files is null ? WafSet.None : new WafSet(
                files.Connection is { } c ? slots[c] : null, files.Request is { } r ? slots[r] : null, files.Shadow is { } s ? slots[s] : null);
            var assignments = new WafAssignments(
                config.Listeners.ToDictionary(l => l.Name, l => SetOf(l.Waf), StringComparer.Ordinal),
                config.Routes.ToDictionary(r => r.Name, r => SetOf(r.Waf), StringComparer.Ordinal));
            return assignments;
        }
    }

    /// <summary>A watched file changed: recompile every slot; each file that compiles is swapped in, each that does not keeps running.</summary>
    private void ReloadFiles()
    {
        lock (_lock)
        {
            var ok = true;
            foreach (var slot in _slots.Values)
            {
                var result = WafCompiler.CompileFile(slot.Path, Counters, DateTimeOffset.UtcNow, slot.Acl, Clock);
                if (!result.Ok)
                {
                    ok = false;
                    foreach (var error in result.Errors) LogRefused(_logger, error.ToString());
                    continue;
                }
                slot.Swap(result.Acl!);
                foreach (var notice in result.Notices) LogNotice(_logger, notice);
            }
            if (Geo.Config is { Database: not null } geo)
            {
                try
                {
                    Geo.Load(geo);
                }
                catch (Exception ex) when (ex is EdgeServer.Geo.MaxMindDatabaseException or IOException or UnauthorizedAccessException)
                {
                    ok = false;
                    LogRefused(_logger, $"{geo.Database}: {ex.Message}");
                }
            }
            UpdateBodyInspection();
            Interlocked.Increment(ref ok ? ref _reloadSuccesses : ref _reloadFailures);
            if (ok) LogReloaded(_logger, _slots.Count);
        }
        ConnectionAclsChanged?.Invoke();
    }

    private void UpdateBodyInspection() =>
        Volatile.Write(ref _maxBodyInspectionBytes, _slots.Values.Select(s => s.Acl.BodyInspectionBytes).DefaultIfEmpty(0).Max());

    private void Watch(IEnumerable<string> files)
    {
        _watcher?.Dispose();
        var list = files.Distinct(StringComparer.Ordinal).ToList();
        _watcher = list.Count == 0 ? null : new FileSetWatcher(list, ReloadFiles);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        Geo.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "waf: rule file not reloaded, the running rules stay: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "waf: {Count} rule files reloaded")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "waf: {Notice}")]
    private static partial void LogNotice(ILogger logger, string notice);
}
