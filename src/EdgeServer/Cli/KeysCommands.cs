using System.CommandLine;
using EdgeServer.ApiKeys;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Cli;

/// <summary>
/// `edge keys create|revoke|list`: how operators issue and withdraw API keys. A new key is printed once, on
/// stdout, and only its SHA-256 goes to the store; nothing here ever prints a hash or a stored secret again.
/// </summary>
/// <remarks>
/// <para>The store defaults to <c>keys.yaml</c> in the current directory (beside the config, when run where the
/// config is, as `edge run -c edge.yaml` is); <c>--store</c> names another file. Every command prints the absolute
/// path it used, so a key is never silently written to a store the daemon does not read.</para>
/// <para>create and revoke hold <see cref="ApiKeyStoreLock"/> from reading the store to replacing it, refuse to
/// touch a store that has errors (they would be lost), and write it with <see cref="ApiKeyStoreWriter"/>. Exit 0 on
/// success, 1 with a message on stderr otherwise.</para>
/// </remarks>
internal static class KeysCommands
{
    public const string DefaultStore = "keys.yaml";

    public static Command Create()
    {
        var createStore = StoreOption();
        var plan = new Option<string>("--plan") { Description = "the usage plan the key is bound to", Required = true };
        var name = new Option<string>("--name") { Description = "a unique name for the key, shown in logs and metrics (letters, digits, . _ - : @ + /)", Required = true };
        var owner = new Option<string?>("--owner") { Description = "who the key is for: a team, a person, an email address" };
        var create = new Command("create", "Create a key bound to a usage plan; prints the key once (only its SHA-256 is stored).") { plan, name, owner, createStore };
        create.SetAction(parse => CreateKey(parse.GetValue(createStore)!, parse.GetValue(name)!, parse.GetValue(plan)!, parse.GetValue(owner)));

        var revokeStore = StoreOption();
        var which = new Argument<string>("ID|NAME") { Description = "the key's id (the 10 characters after edge_) or its name" };
        var revoke = new Command("revoke", "Revoke a key: requests with it get 403 once the daemon reloads the store.") { which, revokeStore };
        revoke.SetAction(parse => Revoke(parse.GetValue(revokeStore)!, parse.GetValue(which)!));

        var listStore = StoreOption();
        var list = new Command("list", "List keys: id, name, owner, plan, created, revoked (never hashes or keys).") { listStore };
        list.SetAction(parse => List(parse.GetValue(listStore)!));

        return new Command("keys", "API keys bound to usage plans.") { create, revoke, list };
    }

    private static Option<FileInfo> StoreOption() => new("--store", "-s")
    {
        Description = $"the API key store file (default: {DefaultStore} in the current directory)",
        DefaultValueFactory = _ => new FileInfo(DefaultStore),
    };

    private static int CreateKey(FileInfo store, string name, string plan, string? owner)
    {
        if (!ApiKeyNames.IsValidName(name)) return Fail($"edge keys create: --name '{name}': expected {ApiKeyNames.ExpectedName}");
        if (!ApiKeyNames.IsValidName(plan)) return Fail($"edge keys create: --plan '{plan}': expected {ApiKeyNames.ExpectedName}");
        if (owner is not null && !ApiKeyNames.IsValidOwner(owner)) return Fail($"edge keys create: --owner: expected {ApiKeyNames.ExpectedOwner}");

        return Locked(store, "create", () =>
        {
            var isNew = !store.Exists;
            if (LoadForChange(store, "create", allowMissing: true) is not { } entries) return 1;
            if (entries.FirstOrDefault(e => e.Name == name) is { } taken)
                return Fail($"edge keys create: a key named '{name}' already exists (id {taken.IdText}{(taken.IsRevoked ? ", revoked" : "")}) in {store.FullName}");

            ApiKeyId id;
            do id = ApiKeyId.NewRandom(); while (entries.Any(e => e.Id == id));
            var key = ApiKeyFormat.Generate(id);
            var now = TruncateToSecond(TimeProvider.System.GetUtcNow());
            var entry = new ApiKeyEntry(id, name, owner, plan, ApiKeyFormat.Hash(key), now);
            ApiKeyStoreWriter.Write(store.FullName, [.. entries, entry]);

            // The only time the key exists outside the client: stdout for the operator (or a script) to capture.
            Console.WriteLine($"key: {key}");
            Console.WriteLine($"id: {entry.IdText}");
            Console.Error.WriteLine($"created key '{name}' (id {entry.IdText}, plan {plan}) in {store.FullName}{(isNew ? " (new file)" : "")}");
            Console.Error.WriteLine("save the key now: it is not shown again and cannot be recovered, only revoked and replaced");
            return 0;
        });
    }

    private static int Revoke(FileInfo store, string which)
    {
        return Locked(store, "revoke", () =>
        {
            if (LoadForChange(store, "revoke", allowMissing: false) is not { } entries) return 1;
            var byId = ApiKeyId.TryParse(which, out var id) ? entries.FindIndex(e => e.Id == id) : -1;
            var byName = entries.FindIndex(e => e.Name == which);
            if (byId >= 0 && byName >= 0 && byId != byName)
                return Fail($"edge keys revoke: '{which}' is the id of key '{entries[byId].Name}' and the name of key {entries[byName].IdText}; use the other key's id");
            var index = byId >= 0 ? byId : byName;
            if (index < 0) return Fail($"edge keys revoke: no key with id or name '{which}' in {store.FullName}");

            var entry = entries[index];
            if (entry.RevokedAt is { } already)
            {
                Console.WriteLine($"key '{entry.Name}' (id {entry.IdText}) was already revoked at {ApiKeyStoreWriter.Timestamp(already)}; {store.FullName} unchanged");
                return 0;
            }
            var now = TruncateToSecond(TimeProvider.System.GetUtcNow());
            entries[index] = entry.Revoke(now < entry.CreatedAt ? entry.CreatedAt : now);
            ApiKeyStoreWriter.Write(store.FullName, entries);
            Console.WriteLine($"revoked key '{entry.Name}' (id {entry.IdText}) at {ApiKeyStoreWriter.Timestamp(entries[index].RevokedAt!.Value)} in {store.FullName}");
            return 0;
        });
    }

    private static int List(FileInfo store)
    {
        var result = ApiKeyStoreFile.Load(store.FullName);
        if (!result.Ok)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine(error);
            return 1;
        }
        var entries = result.Store!.Entries;
        if (entries.Count == 0)
        {
            Console.WriteLine($"no keys in {store.FullName}");
            return 0;
        }
        string[] header = ["ID", "NAME", "OWNER", "PLAN", "CREATED", "REVOKED"];
        var rows = entries.Select(e => new[]
        {
            e.IdText, e.Name, e.Owner ?? "-", e.Plan, ApiKeyStoreWriter.Timestamp(e.CreatedAt),
            e.RevokedAt is { } r ? ApiKeyStoreWriter.Timestamp(r) : "-",
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => Math.Max(header[c].Length, rows.Max(r => r[c].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))));
        Console.Error.WriteLine($"{entries.Count} keys ({entries.Count(e => e.IsRevoked)} revoked) in {store.FullName}");
        return 0;
    }

    /// <summary>The entries of a store about to be rewritten; null (with the errors printed) when it must not be.</summary>
    private static List<ApiKeyEntry>? LoadForChange(FileInfo store, string command, bool allowMissing)
    {
        store.Refresh();
        if (!store.Exists && allowMissing && !Directory.Exists(store.FullName)) return [];
        var result = ApiKeyStoreFile.Load(store.FullName);
        if (result.Ok) return [.. result.Store!.Entries];
        foreach (var error in result.Errors) Console.Error.WriteLine(error);
        if (store.Exists) Console.Error.WriteLine($"edge keys {command}: {store.FullName} has errors; fix them first (it was not changed)");
        return null;
    }

    private static int Locked(FileInfo store, string command, Func<int> change)
    {
        try
        {
            using var storeLock = ApiKeyStoreLock.Acquire(store.FullName, ApiKeyStoreLock.DefaultTimeout);
            return change();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
        {
            return Fail($"edge keys {command}: cannot update {store.FullName}: {ex.Message}");
        }
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
