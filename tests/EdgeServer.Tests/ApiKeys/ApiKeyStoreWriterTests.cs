using System.Text;
using EdgeServer.ApiKeys;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Tests.ApiKeys;

/// <summary>Writing the store: what is written reads back identically, the file is replaced whole, writers take turns.</summary>
public sealed class ApiKeyStoreWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (string Key, ApiKeyEntry Entry) NewKey(string name, string? owner, DateTimeOffset? revokedAt = null)
    {
        var key = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryParse(key, out var id));
        return (key, new ApiKeyEntry(id, name, owner, "gold", ApiKeyFormat.Hash(key), new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), revokedAt));
    }

    [Fact]
    public void What_is_written_loads_back_field_for_field_and_authenticates()
    {
        var keys = new[]
        {
            NewKey("plain", null),
            NewKey("quoted", "Ops \"night\" shift \\ on-call: #1 — Zoë 🚀"),
            NewKey("revoked", "x", new DateTimeOffset(2025, 4, 1, 8, 30, 0, TimeSpan.Zero)),
        };
        var path = Path.Combine(_directory, "keys.yaml");
        ApiKeyStoreWriter.Write(path, keys.Select(k => k.Entry));

        var result = ApiKeyStoreFile.Load(path);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(keys.Length, result.Store!.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            var (written, read) = (keys[i].Entry, result.Store.Entries[i]);
            Assert.Equal((written.Id, written.Name, written.Owner, written.Plan, written.Sha256Hex, written.CreatedAt, written.RevokedAt),
                (read.Id, read.Name, read.Owner, read.Plan, read.Sha256Hex, read.CreatedAt, read.RevokedAt));
        }
        Assert.Equal(ApiKeyStatus.Ok, result.Store.TryAuthenticate(Encoding.ASCII.GetBytes(keys[1].Key), out _));
        Assert.Equal(ApiKeyStatus.Revoked, result.Store.TryAuthenticate(Encoding.ASCII.GetBytes(keys[2].Key), out _));

        var text = File.ReadAllText(path);
        Assert.All(keys, k => Assert.DoesNotContain(k.Key[16..], text, StringComparison.Ordinal));
        Assert.All(keys, k => Assert.Contains(k.Entry.Sha256Hex, text, StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_store_is_written_as_an_empty_list()
    {
        var path = Path.Combine(_directory, "keys.yaml");
        ApiKeyStoreWriter.Write(path, []);
        Assert.Contains("keys: []", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(0, ApiKeyStoreFile.Load(path).Store!.Count);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_file_is_replaced_by_rename_leaving_no_temporary_files_and_keeping_its_mode()
    {
        var path = Path.Combine(_directory, "keys.yaml");
        ApiKeyStoreWriter.Write(path, [NewKey("a", null).Entry]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // A reader holding the old file keeps reading the old content: the new one is a new inode renamed over it.
        using var before = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var oldLength = before.Length;
        ApiKeyStoreWriter.Write(path, [NewKey("a", null).Entry, NewKey("b", "someone").Entry]);
        Assert.Equal(oldLength, before.Length);
        Assert.True(new FileInfo(path).Length > oldLength);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["keys.yaml"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Writers_take_turns_through_the_lock()
    {
        var path = Path.Combine(_directory, "keys.yaml");
        using (ApiKeyStoreLock.Acquire(path, TimeSpan.FromSeconds(1)))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            Assert.Throws<TimeoutException>(() => ApiKeyStoreLock.Acquire(path, TimeSpan.FromMilliseconds(200)));
            Assert.True(waited.ElapsedMilliseconds >= 200);
        }
        using var again = ApiKeyStoreLock.Acquire(path, TimeSpan.FromMilliseconds(200));
        Assert.Equal(Path.Combine(_directory, ".keys.yaml.lock"), ApiKeyStoreLock.PathFor(path));
    }

    [Fact]
    public void A_store_in_a_missing_directory_is_an_io_error_not_a_wait()
    {
        var path = Path.Combine(_directory, "nope", "keys.yaml");
        Assert.Throws<DirectoryNotFoundException>(() => ApiKeyStoreLock.Acquire(path, TimeSpan.FromSeconds(5)));
    }
}
