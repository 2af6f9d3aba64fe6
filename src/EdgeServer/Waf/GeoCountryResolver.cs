using System.Buffers.Binary;
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
        // The same clients come back request after request (keep-alive, and every request of a connection is
        // evaluated on the I/O thread that serves it): a small per-thread cache answers them without walking the
        // tree (~25 node reads for an IPv4 address). Entries remember the database they came from, so a reload
        // makes them all misses at once.
        var cache = t_cache ??= new CacheEntry[CacheSize];
        if (address.Length > 16) return Lookup(state, address, out country);
        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        address.CopyTo(padded);
        var high = BinaryPrimitives.ReadUInt64LittleEndian(padded);
        var low = BinaryPrimitives.ReadUInt64LittleEndian(padded[8..]);
        ref var entry = ref cache[(int)(((high ^ (low * 31) ^ (ulong)address.Length) * 0x9E3779B97F4A7C15UL) >> (64 - CacheBits))];
        if (ReferenceEquals(entry.State, state) && entry.High == high && entry.Low == low && entry.Length == address.Length)
        {
            country = entry.Country;
            return entry.Found;
        }
        var found = Lookup(state, address, out country);
        entry = new CacheEntry(state, high, low, address.Length, country, found);
        return found;
    }

    private static bool Lookup(State state, ReadOnlySpan<byte> address, out ushort country)
    {
        country = 0;
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

    private const int CacheBits = 8;
    private const int CacheSize = 1 << CacheBits;

    [ThreadStatic]
    private static CacheEntry[]? t_cache;

    private readonly record struct CacheEntry(State? State, ulong High, ulong Low, int Length, ushort Country, bool Found);

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
