using System.Collections.Frozen;
using System.Security.Cryptography;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// The API keys the edge accepts, looked up by the id inside a presented key and checked by comparing SHA-256
/// digests in constant time. Immutable and safe to share; a changed store file builds a new one and swaps it in.
/// </summary>
/// <remarks>
/// <see cref="TryAuthenticate"/> allocates nothing: the id is read from the bytes into an integer
/// (<see cref="ApiKeyId"/>), found in a frozen dictionary, and the digest goes to a stack buffer. An unknown id
/// answers without hashing: ids are public, so that timing difference tells an attacker nothing they could not read
/// from a log line, while the digest comparison, which would, is constant-time.
/// </remarks>
public sealed class ApiKeyStore
{
    private readonly FrozenDictionary<ulong, ApiKeyEntry> _byId;

    /// <exception cref="ArgumentException">Two entries share an id.</exception>
    public ApiKeyStore(IEnumerable<ApiKeyEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToArray();
        var byId = new Dictionary<ulong, ApiKeyEntry>(list.Length);
        foreach (var entry in list)
        {
            if (!byId.TryAdd(entry.Id.Value, entry))
                throw new ArgumentException($"two keys have the id {entry.IdText}", nameof(entries));
        }
        _byId = byId.ToFrozenDictionary();
        Entries = list;
    }

    public static ApiKeyStore Empty { get; } = new([]);

    /// <summary>In the order they were given (the file's order).</summary>
    public IReadOnlyList<ApiKeyEntry> Entries { get; }

    public int Count => Entries.Count;

    public bool TryGet(ApiKeyId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ApiKeyEntry? entry) =>
        _byId.TryGetValue(id.Value, out entry);

    /// <param name="presentedKey">The key as the client sent it (ASCII bytes, already trimmed of the header's framing).</param>
    /// <param name="entry">The key's entry when the result is <see cref="ApiKeyStatus.Ok"/> or <see cref="ApiKeyStatus.Revoked"/>.</param>
    public ApiKeyStatus TryAuthenticate(ReadOnlySpan<byte> presentedKey, out ApiKeyEntry? entry)
    {
        entry = null;
        if (presentedKey.IsEmpty) return ApiKeyStatus.Missing;
        if (!ApiKeyFormat.TryParse(presentedKey, out var id)) return ApiKeyStatus.Malformed;
        if (!_byId.TryGetValue(id.Value, out var candidate)) return ApiKeyStatus.Unknown;

        Span<byte> digest = stackalloc byte[ApiKeyEntry.HashLength];
        SHA256.HashData(presentedKey, digest);
        if (!CryptographicOperations.FixedTimeEquals(digest, candidate.Sha256)) return ApiKeyStatus.Unknown;
        entry = candidate;
        return candidate.IsRevoked ? ApiKeyStatus.Revoked : ApiKeyStatus.Ok;
    }
}
