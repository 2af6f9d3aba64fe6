using EdgeServer.ApiKeys;
using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Tests.RateLimiting;

/// <summary>config/examples/api-gateway.yaml (with its demo key store) and fleet.yaml validate, and the demo key it prints works.</summary>
public sealed class ApiGatewayExampleTests
{
    private static string Examples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "examples");
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln")) && Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("config/examples not found above the test binaries");
    }

    [Fact]
    public void The_example_validates_and_its_demo_key_authenticates_with_its_plan()
    {
        var path = Path.Combine(Examples(), "api-gateway.yaml");
        var result = ConfigLoader.LoadFile(path);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal(["per-ip"], config.Listeners[0].RateLimits);
        Assert.True(config.RateLimits.Single(l => l.Name == "new-limit-trial").DryRun);
        Assert.Equal(RateLimitKeyKind.IpPrefix, config.RateLimits.Single(l => l.Name == "per-network").Key);
        Assert.Equal(["gold", "silver"], config.Routes.Single(r => r.Name == "api").ApiKey!.Plans);

        var demoKey = File.ReadLines(path).Select(l => l.Trim()).Single(l => l.StartsWith("#   demo key", StringComparison.Ordinal)).Split(": ")[1];
        var store = ApiKeyStoreFile.Load(config.ApiKeys!.Store);
        Assert.True(store.Ok, string.Join("\n", store.Errors));
        Assert.Equal(ApiKeyStatus.Ok, store.Store!.TryAuthenticate(System.Text.Encoding.ASCII.GetBytes(demoKey), out var entry));
        Assert.Equal(("demo-client", "silver"), (entry!.Name, entry.Plan));
    }

    [Fact]
    public void The_fleet_example_validates_with_global_limits_and_plans()
    {
        var result = ConfigLoader.LoadFile(Path.Combine(Examples(), "fleet.yaml"));
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal((GlobalLimitMode.Approximate, RedisFailPolicy.Open, "fleet-a:"), (config.Redis!.Mode, config.Redis.FailPolicy, config.Redis.KeyPrefix));
        Assert.True(config.RateLimits.Single(l => l.Name == "per-tenant").Global);
        Assert.False(config.RateLimits.Single(l => l.Name == "per-ip").Global);
        Assert.All(config.UsagePlans, p => Assert.True(p.Global));
    }
}
