using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// API key authentication as the proxy runs it per request, against a store of 10,000 keys: an accepted key (parse,
/// id lookup, SHA-256 of 59 bytes, constant-time compare), the right id with a wrong secret (the same work), an id not
/// in the store (no hash), and a malformed value (rejected by shape); the hash alone for reference. Plus the quota window for a month, which the
/// quota check computes per request. Every case must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class ApiKeyBenchmark
{
    private const int Keys = 10_000;
    private ApiKeyStore _store = ApiKeyStore.Empty;
    private byte[] _valid = [];
    private byte[] _wrongSecret = [];
    private byte[] _unknownId = [];
    private byte[] _malformed = [];
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        var created = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = new List<ApiKeyEntry>(Keys);
        string? middle = null;
        for (var i = 0; i < Keys; i++)
        {
            var key = ApiKeyFormat.Generate();
            ApiKeyFormat.TryParse(key, out var id);
            if (entries.Any(e => e.Id == id)) { i--; continue; }
            entries.Add(new ApiKeyEntry(id, "key" + i, null, "gold", ApiKeyFormat.Hash(key), created));
            if (i == Keys / 2) middle = key;
        }
        _store = new ApiKeyStore(entries);
        _valid = Encoding.ASCII.GetBytes(middle!);
        _wrongSecret = Encoding.ASCII.GetBytes(middle![..^1] + (middle[^1] == 'a' ? 'b' : 'a'));
        string stranger;
        do stranger = ApiKeyFormat.Generate(); while (ApiKeyFormat.TryParse(stranger, out var sid) && _store.TryGet(sid, out _));
        _unknownId = Encoding.ASCII.GetBytes(stranger);
        _malformed = Encoding.ASCII.GetBytes("Bearer 0123456789abcdef");
        _now = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);
        if (_store.TryAuthenticate(_valid, out _) != ApiKeyStatus.Ok || _store.TryAuthenticate(_wrongSecret, out _) != ApiKeyStatus.Unknown)
            throw new InvalidOperationException("benchmark keys do not authenticate as expected");
    }

    [Benchmark(Baseline = true, Description = "valid key, 10k-key store")]
    public ApiKeyStatus Valid() => _store.TryAuthenticate(_valid, out _);

    [Benchmark(Description = "right id, wrong secret")]
    public ApiKeyStatus WrongSecret() => _store.TryAuthenticate(_wrongSecret, out _);

    [Benchmark(Description = "well-formed, unknown id")]
    public ApiKeyStatus UnknownId() => _store.TryAuthenticate(_unknownId, out _);

    [Benchmark(Description = "malformed value")]
    public ApiKeyStatus Malformed() => _store.TryAuthenticate(_malformed, out _);

    /// <summary>The hash alone (OpenSSL through .NET): the floor under the valid and wrong-secret cases.</summary>
    [Benchmark(Description = "SHA-256 of 59 bytes alone")]
    public byte Sha256Alone()
    {
        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(_valid, digest);
        return digest[0];
    }

    [Benchmark(Description = "quota window (month)")]
    public long MonthWindow() => QuotaWindow.For(QuotaPeriod.Month, _now).Index;
}
