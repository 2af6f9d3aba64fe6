using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Config.Model;

/// <summary>Where API keys are kept and how requests present them.</summary>
public sealed record ApiKeysConfig
{
    /// <summary>The key store file (`edge keys create` writes it); relative to the config file's directory.</summary>
    public required string Store { get; init; }
    /// <summary>The request header that carries the key; it is never forwarded.</summary>
    public string Header { get; init; } = "x-api-key";
    /// <summary>The header that tells backends which key was used (its name, never the key); null: none.</summary>
    public string? ForwardHeader { get; init; } = "x-api-key-name";
    public SourceMark Mark { get; init; }
}

/// <summary>What a key's plan allows: a throttle (rate and burst) and a quota per day, week or month.</summary>
public sealed record UsagePlanConfig
{
    public required string Name { get; init; }
    public RateValue? ThrottleRate { get; init; }
    public long ThrottleBurst { get; init; }
    public long? QuotaLimit { get; init; }
    public QuotaPeriod QuotaPeriod { get; init; } = QuotaPeriod.Day;
    /// <summary>Throttle and quota shared by every edge node through Redis; the quota then survives restarts.</summary>
    public bool Global { get; init; }
    public SourceMark Mark { get; init; }
}

/// <summary>A route that needs an API key, and which plans' keys it takes (empty: any plan).</summary>
public sealed record RouteApiKeyConfig
{
    public IReadOnlyList<string> Plans { get; init; } = [];
    public SourceMark Mark { get; init; }
}
