using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using EdgeServer.ApiKeys;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Tests.ApiKeys;

/// <summary>`edge keys create|revoke|list` run as operators run them: the edge executable, a real store file.</summary>
public sealed partial class KeysCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-keys-cli-").FullName;

    private string Store => Path.Combine(_directory, "keys.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(int Exit, string Out, string Err)> EdgeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("^key: (edge_[a-z2-7]{10}_[0-9A-Za-z]{43})\nid: ([a-z2-7]{10})\n$")]
    private static partial Regex CreateOutput();

    private async Task<(string Key, string Id)> CreateAsync(string name, string plan = "gold", params string[] more)
    {
        var (exit, stdout, stderr) = await EdgeAsync(["keys", "create", "--plan", plan, "--name", name, "--store", Store, .. more]);
        Assert.True(exit == 0, stderr);
        var match = CreateOutput().Match(stdout);
        Assert.True(match.Success, stdout);
        Assert.Equal(match.Groups[1].Value[5..15], match.Groups[2].Value);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }

    private ApiKeyStore LoadStore()
    {
        var result = ApiKeyStoreFile.Load(Store);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Store!;
    }

    [Fact]
    public async Task A_created_key_is_printed_once_stored_as_its_hash_and_authenticates()
    {
        var (key, id) = await CreateAsync("billing", "gold", "--owner", "Team Billing <billing@example.com>");

        var store = LoadStore();
        Assert.Equal(ApiKeyStatus.Ok, store.TryAuthenticate(Encoding.ASCII.GetBytes(key), out var entry));
        Assert.Equal((id, "billing", "Team Billing <billing@example.com>", "gold"), (entry!.IdText, entry.Name, entry.Owner, entry.Plan));
        Assert.InRange(entry.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(1));

        var text = await File.ReadAllTextAsync(Store);
        Assert.DoesNotContain(key[16..], text, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(ApiKeyFormat.Hash(key)), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_shows_who_and_what_but_never_a_secret_or_a_hash()
    {
        var (billing, billingId) = await CreateAsync("billing", "gold", "--owner", "team-billing");
        var (mobile, mobileId) = await CreateAsync("mobile", "free");

        var (exit, stdout, stderr) = await EdgeAsync("keys", "list", "--store", Store);
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches("^ID +NAME +OWNER +PLAN +CREATED +REVOKED$", lines[0]);
        Assert.Matches($"^{billingId} +billing +team-billing +gold +\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +-$", lines[1]);
        Assert.Matches($"^{mobileId} +mobile +- +free +\\S+Z +-$", lines[2]);
        foreach (var key in new[] { billing, mobile })
        {
            var all = stdout + stderr;
            Assert.DoesNotContain(key[16..], all, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(ApiKeyFormat.Hash(key)), all, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToHexStringLower(ApiKeyFormat.Hash(key))[..16], all, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Revoke_by_id_or_name_makes_the_key_revoked_and_a_second_revoke_changes_nothing()
    {
        var (billing, billingId) = await CreateAsync("billing");
        var (mobile, _) = await CreateAsync("mobile");

        var byId = await EdgeAsync("keys", "revoke", billingId, "--store", Store);
        Assert.True(byId.Exit == 0, byId.Err);
        Assert.StartsWith($"revoked key 'billing' (id {billingId}) at ", byId.Out, StringComparison.Ordinal);
        var byName = await EdgeAsync("keys", "revoke", "mobile", "--store", Store);
        Assert.True(byName.Exit == 0, byName.Err);

        var store = LoadStore();
        Assert.Equal(ApiKeyStatus.Revoked, store.TryAuthenticate(Encoding.ASCII.GetBytes(billing), out var entry));
        Assert.NotNull(entry!.RevokedAt);
        Assert.Equal(ApiKeyStatus.Revoked, store.TryAuthenticate(Encoding.ASCII.GetBytes(mobile), out _));

        var before = await File.ReadAllTextAsync(Store);
        var again = await EdgeAsync("keys", "revoke", "billing", "--store", Store);
        Assert.Equal(0, again.Exit);
        Assert.Contains("was already revoked at", again.Out, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(Store));

        var list = await EdgeAsync("keys", "list", "--store", Store);
        Assert.Matches($"(?m)^{billingId} .* \\S+Z  \\S+Z$", list.Out);
    }

    [Fact]
    public async Task Mistakes_exit_1_with_a_clear_message_and_leave_the_store_alone()
    {
        await CreateAsync("billing");
        var before = await File.ReadAllTextAsync(Store);

        var duplicate = await EdgeAsync("keys", "create", "--plan", "gold", "--name", "billing", "--store", Store);
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("a key named 'billing' already exists", duplicate.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("edge_", duplicate.Out, StringComparison.Ordinal);

        var badName = await EdgeAsync("keys", "create", "--plan", "gold", "--name", "two words", "--store", Store);
        Assert.Equal(1, badName.Exit);
        Assert.Contains("--name 'two words': expected", badName.Err, StringComparison.Ordinal);

        var noPlan = await EdgeAsync("keys", "create", "--name", "x", "--store", Store);
        Assert.Equal(1, noPlan.Exit);
        Assert.Contains("--plan", noPlan.Err, StringComparison.Ordinal);

        var unknown = await EdgeAsync("keys", "revoke", "nobody", "--store", Store);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains($"no key with id or name 'nobody' in {Store}", unknown.Err, StringComparison.Ordinal);

        Assert.Equal(before, await File.ReadAllTextAsync(Store));

        var missing = Path.Combine(_directory, "other.yaml");
        var listMissing = await EdgeAsync("keys", "list", "--store", missing);
        Assert.Equal(1, listMissing.Exit);
        Assert.Contains($"{missing}:1:1: API key store file not found", listMissing.Err, StringComparison.Ordinal);
        var revokeMissing = await EdgeAsync("keys", "revoke", "billing", "--store", missing);
        Assert.Equal(1, revokeMissing.Exit);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task A_store_with_errors_is_reported_and_never_rewritten()
    {
        await CreateAsync("billing");
        var broken = (await File.ReadAllTextAsync(Store)).Replace("plan: \"gold\"", "plan: \"gold\"\n    color: blue", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Store, broken);

        var create = await EdgeAsync("keys", "create", "--plan", "gold", "--name", "second", "--store", Store);
        Assert.Equal(1, create.Exit);
        Assert.Matches($"{Regex.Escape(Store)}:\\d+:5: unknown key 'color'", create.Err);
        Assert.Contains("has errors; fix them first (it was not changed)", create.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("edge_", create.Out, StringComparison.Ordinal);
        var list = await EdgeAsync("keys", "list", "--store", Store);
        Assert.Equal(1, list.Exit);
        Assert.Equal(broken, await File.ReadAllTextAsync(Store));
    }

    [Fact]
    public async Task The_default_store_is_keys_yaml_in_the_current_directory()
    {
        var (exit, stdout, stderr) = await EdgeAsync("keys", "create", "--plan", "free", "--name", "default-store");
        Assert.True(exit == 0, stderr);
        Assert.Contains($"in {Store} (new file)", stderr, StringComparison.Ordinal);
        var key = CreateOutput().Match(stdout).Groups[1].Value;
        Assert.Equal(ApiKeyStatus.Ok, LoadStore().TryAuthenticate(Encoding.ASCII.GetBytes(key), out _));
        var list = await EdgeAsync("keys", "list");
        Assert.Contains("default-store", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_creates_all_land_in_the_store()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => CreateAsync($"parallel-{i}")));
        var store = LoadStore();
        Assert.Equal(6, store.Count);
        Assert.All(created, c => Assert.Equal(ApiKeyStatus.Ok, store.TryAuthenticate(Encoding.ASCII.GetBytes(c.Key), out _)));
    }
}
