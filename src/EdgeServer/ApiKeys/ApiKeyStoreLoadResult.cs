using EdgeServer.Config;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.ApiKeys;

/// <summary>A key store file loaded, or every error in it with file, line and column (and then no store at all).</summary>
internal sealed record ApiKeyStoreLoadResult(ApiKeyStore? Store, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Store is not null && Errors.Count == 0;
}
