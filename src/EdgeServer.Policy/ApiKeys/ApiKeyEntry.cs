using System.Text;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// One key in the store: its public id, who it is for, the usage plan it is bound to, and the SHA-256 of the key
/// (never the key). Immutable; a revocation makes a new entry.
/// </summary>
public sealed class ApiKeyEntry
{
    public const int HashLength = 32;

    private readonly byte[] _sha256;

    /// <exception cref="ArgumentException">A name, plan or owner outside <see cref="ApiKeyNames"/>, or a hash that is not 32 bytes.</exception>
    public ApiKeyEntry(ApiKeyId id, string name, string? owner, string plan, ReadOnlySpan<byte> sha256, DateTimeOffset createdAt, DateTimeOffset? revokedAt = null)
    {
        if (!ApiKeyNames.IsValidName(name)) throw new ArgumentException($"key name: expected {ApiKeyNames.ExpectedName}", nameof(name));
        if (!ApiKeyNames.IsValidName(plan)) throw new ArgumentException($"plan name: expected {ApiKeyNames.ExpectedName}", nameof(plan));
        if (owner is not null && !ApiKeyNames.IsValidOwner(owner)) throw new ArgumentException($"owner: expected {ApiKeyNames.ExpectedOwner}", nameof(owner));
        if (sha256.Length != HashLength) throw new ArgumentException($"a SHA-256 hash is {HashLength} bytes, not {sha256.Length}", nameof(sha256));
        Id = id;
        IdText = id.ToString();
        Name = name;
        Owner = owner;
        Plan = plan;
        _sha256 = sha256.ToArray();
        CreatedAt = createdAt;
        RevokedAt = revokedAt;
        IdUtf8 = Encoding.ASCII.GetBytes(IdText);
        NameUtf8 = Encoding.ASCII.GetBytes(name);
    }

    public ApiKeyId Id { get; }

    /// <summary>The id as its 10 characters: what logs and metrics carry.</summary>
    public string IdText { get; }

    public string Name { get; }

    public string? Owner { get; }

    /// <summary>The usage plan's name, resolved against the config's plans by whoever wires the store in.</summary>
    public string Plan { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RevokedAt { get; }

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Pre-encoded for headers to backends and log fields, so requests do not encode it again.</summary>
    public ReadOnlyMemory<byte> IdUtf8 { get; }

    public ReadOnlyMemory<byte> NameUtf8 { get; }

    public ReadOnlySpan<byte> Sha256 => _sha256;

    /// <summary>Lowercase hex, as the store file writes it.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(_sha256);

    public ApiKeyEntry Revoke(DateTimeOffset at) => new(Id, Name, Owner, Plan, _sha256, CreatedAt, at);

    /// <summary>Names the key for messages; the hash is deliberately left out.</summary>
    public override string ToString() => $"{Name} ({IdText}, plan {Plan})";
}
