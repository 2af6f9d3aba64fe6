using EdgeServer.Config.Model;
using EdgeServer.Geo;
using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Waf;

/// <summary>
/// GeoMatch's view of the current geo database. A reload opens the new file and swaps it in; the old
/// mapping is disposed only after a grace period, because lookups that started on it may still be reading.
/// </summary>
internal sealed class GeoCountryResolver : ICountryResolver, IDisposable
{
    /// <summary>Far longer than any lookup; a request evaluates its rules in microseconds.</summary>
    private static readonly TimeSpan s_retireAfter = TimeSpan.FromSeconds(30);
    private volatile State? _state;

    private sealed record State(MaxMindDatabase Database, GeoPath Path, GeoConfig Config);

    public GeoConfig? Config => _state?.Config;
    public MaxMindDatabase? Database => _state?.Database;

    public bool TryResolve(ReadOnlySpan<byte> address, out ushort country)
    {
        country = 0;
        var state = _state;
        if (state is null) return false;
        try
        {
            if (!state.Database.TryLookupCountry(address, state.Path, out var code)) return false;
            country = code.Value;
            return true;
        }
        catch (MaxMindDatabaseException)
        {
            // A corrupt record (the tree was checked at open; data records are checked when read): no country.
            return false;
        }
    }

    /// <summary>Opens <paramref name="config"/>'s database (throws <see cref="MaxMindDatabaseException"/> or IOException) and swaps it in.</summary>
    public void Load(GeoConfig config)
    {
        if (config.Database is null)
        {
            Retire(Interlocked.Exchange(ref _state, null));
            return;
        }
        var path = GeoPath.Parse(config.CountryPath);
        var database = MaxMindDatabase.Open(config.Database);
        Retire(Interlocked.Exchange(ref _state, new State(database, path, config)));
    }

    private static void Retire(State? old)
    {
        if (old is null) return;
        _ = Task.Delay(s_retireAfter).ContinueWith(_ => old.Database.Dispose(), TaskScheduler.Default);
    }

    public void Dispose() => _state?.Database.Dispose();
}
