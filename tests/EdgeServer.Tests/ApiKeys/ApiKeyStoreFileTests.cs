using EdgeServer.ApiKeys;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Tests.ApiKeys;

/// <summary>Loading the key store file: what a valid file gives, and where each kind of mistake is reported.</summary>
public sealed class ApiKeyStoreFileTests
{
    private const string Source = "/etc/edge/keys.yaml";
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static ApiKeyStoreLoadResult Parse(string yaml) => ApiKeyStoreFile.Parse(yaml, Source);

    private static List<string> Errors(string yaml)
    {
        var result = Parse(yaml);
        Assert.False(result.Ok);
        Assert.Null(result.Store);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void A_valid_file_gives_every_field()
    {
        var result = Parse($"""
            # hand-written comment
            keys:
              - id: "k7f3q2m4xa"
                name: billing-service
                owner: "Team Billing <billing@example.com>"
                plan: gold
                sha256: {Hash.ToUpperInvariant()}
                createdAt: 2025-03-01T12:00:00Z
              - id: aaaaaaaaab
                name: old
                plan: free
                sha256: "{Hash}"
                createdAt: 2025-03-01T13:00:00.5+01:00
                revokedAt: 2025-04-01T08:30:00Z
            """);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var (billing, old) = (result.Store!.Entries[0], result.Store.Entries[1]);
        Assert.Equal("k7f3q2m4xa", billing.IdText);
        Assert.Equal("billing-service", billing.Name);
        Assert.Equal("Team Billing <billing@example.com>", billing.Owner);
        Assert.Equal("gold", billing.Plan);
        Assert.Equal(Hash, billing.Sha256Hex);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), billing.CreatedAt);
        Assert.Null(billing.RevokedAt);
        Assert.Null(old.Owner);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 12, 0, 0, 500, TimeSpan.Zero), old.CreatedAt);
        Assert.Equal(TimeSpan.Zero, old.CreatedAt.Offset);
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 8, 30, 0, TimeSpan.Zero), old.RevokedAt);
        Assert.True(result.Store.TryGet(billing.Id, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    [InlineData("keys: []")]
    [InlineData("keys:")]
    public void An_empty_store_is_valid_and_holds_no_keys(string yaml)
    {
        var result = Parse(yaml);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(0, result.Store!.Count);
    }

    [Fact]
    public void Unknown_fields_are_reported_where_they_are_with_a_suggestion()
    {
        var errors = Errors($"""
            keys:
              - id: aaaaaaaaaa
                name: a
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
                revoked_at: 2025-03-02T12:00:00Z
            """);
        var error = Assert.Single(errors);
        Assert.StartsWith($"{Source}:7:5: unknown key 'revoked_at' in a key (did you mean 'revokedAt'?)", error, StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:1:1: unknown key 'kyes'", Assert.Single(Errors("kyes: []")), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_hashes_ids_names_and_timestamps_are_each_reported_at_their_value()
    {
        var errors = Errors($"""
            keys:
              - id: AAAAAAAAAA
                name: has space
                owner: "ok owner"
                plan: gold
                sha256: {Hash[..63]}
                createdAt: yesterday
              - id: aaaaaaaaab
                name: b
                plan: gold
                sha256: {Hash[..62]}zz
                createdAt: 2025-03-01T12:00:00
            """);
        Assert.Equal(6, errors.Count);
        Assert.StartsWith($"{Source}:2:9: 'id': expected 10 characters of a-z and 2-7", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:3:11: 'name': expected 1 to 64 characters", errors[1], StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:6:13: 'sha256': expected 64 hexadecimal digits", errors[2], StringComparison.Ordinal);
        Assert.Contains("(63 characters)", errors[2], StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:7:16: 'createdAt': expected an ISO 8601 timestamp with a zone", errors[3], StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:11:13: 'sha256': expected 64 hexadecimal digits", errors[4], StringComparison.Ordinal);
        // No zone: the daemon's local time would decide when a key was revoked.
        Assert.StartsWith($"{Source}:12:16: 'createdAt': expected an ISO 8601 timestamp with a zone", errors[5], StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_ids_and_names_point_at_the_second_and_name_the_first()
    {
        var errors = Errors($"""
            keys:
              - id: aaaaaaaaaa
                name: a
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
              - id: aaaaaaaaaa
                name: b
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
              - id: aaaaaaaaac
                name: a
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
            """);
        Assert.Equal(
        [
            $"{Source}:7:9: duplicate key id 'aaaaaaaaaa' (first at line 2)",
            $"{Source}:13:11: duplicate key name 'a' (first at line 3)",
        ], errors);
    }

    [Fact]
    public void Missing_fields_are_reported_at_the_key_that_lacks_them()
    {
        var errors = Errors($"""
            keys:
              - id: aaaaaaaaaa
                name: billing
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
              - plan: gold
            """);
        Assert.Equal($"{Source}:2:5: key 'billing' needs 'plan': the usage plan it is bound to", errors[0]);
        Assert.Equal(
        [
            $"{Source}:6:5: each key needs 'createdAt': when it was created",
            $"{Source}:6:5: each key needs 'id': its public id",
            $"{Source}:6:5: each key needs 'name': a unique name",
            $"{Source}:6:5: each key needs 'sha256': the SHA-256 of the key",
        ], errors.Skip(1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Revocation_before_creation_is_refused()
    {
        var error = Assert.Single(Errors($"""
            keys:
              - id: aaaaaaaaaa
                name: a
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
                revokedAt: 2025-02-01T12:00:00Z
            """));
        Assert.Equal($"{Source}:7:16: 'revokedAt' (2025-02-01T12:00:00Z) is before 'createdAt' (2025-03-01T12:00:00Z)", error);
    }

    [Fact]
    public void A_plain_key_pasted_into_the_file_is_refused_without_being_echoed()
    {
        var key = ApiKeyFormat.Generate();
        var errors = Errors($"""
            keys:
              - id: {key[5..15]}
                name: a
                plan: gold
                sha256: {key}
                createdAt: 2025-03-01T12:00:00Z
            """);
        var error = Assert.Single(errors);
        Assert.StartsWith($"{Source}:5:13: 'sha256' holds what looks like a plain API key", error, StringComparison.Ordinal);
        Assert.DoesNotContain(key[16..26], error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_key_written_as_a_field_name_has_its_secret_cut_from_the_message()
    {
        var key = ApiKeyFormat.Generate();
        var error = Assert.Single(Errors($"""
            keys:
              - id: aaaaaaaaaa
                name: a
                plan: gold
                sha256: {Hash}
                createdAt: 2025-03-01T12:00:00Z
                {key}: oops
            """));
        Assert.StartsWith($"{Source}:7:5: unknown key 'edge_{key[5..15]}_(secret removed)", error, StringComparison.Ordinal);
        Assert.DoesNotContain(key[16..22], error, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_that_are_not_a_list_of_mappings_are_reported()
    {
        Assert.StartsWith($"{Source}:1:7: 'keys': expected a list", Assert.Single(Errors("keys: nope")), StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:2:5: each key: expected a mapping", Assert.Single(Errors("keys:\n  - just-a-string")), StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:1:1: the key store needs 'keys'", Assert.Single(Errors("{}")), StringComparison.Ordinal);
        // The parser notices the unclosed list at the end of the input.
        Assert.StartsWith($"{Source}:2:1: invalid YAML", Assert.Single(Errors("keys: [\n")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_or_a_directory_is_an_error_at_line_one()
    {
        var directory = Directory.CreateTempSubdirectory("edge-keys-").FullName;
        try
        {
            var missing = Path.Combine(directory, "keys.yaml");
            Assert.Equal($"{missing}:1:1: API key store file not found", Assert.Single(ApiKeyStoreFile.Load(missing).Errors).ToString());
            Assert.Equal($"{directory}:1:1: expected an API key store file, but this is a directory", Assert.Single(ApiKeyStoreFile.Load(directory).Errors).ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
