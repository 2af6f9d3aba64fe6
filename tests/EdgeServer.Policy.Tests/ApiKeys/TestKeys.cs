using System.Text;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>Real generated keys and the entries a store file would hold for them.</summary>
internal static class TestKeys
{
    public static readonly DateTimeOffset Created = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static (string Key, ApiKeyEntry Entry) Create(string name, string plan = "gold", DateTimeOffset? revokedAt = null)
    {
        var key = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryParse(key, out var id));
        return (key, new ApiKeyEntry(id, name, "team-" + name, plan, ApiKeyFormat.Hash(key), Created, revokedAt));
    }

    public static byte[] Bytes(string key) => Encoding.ASCII.GetBytes(key);
}
