using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>Authentication against a store of real generated keys: each outcome a 403 reason is built from.</summary>
public sealed class ApiKeyStoreTests
{
    private readonly (string Key, ApiKeyEntry Entry) _billing = TestKeys.Create("billing");
    private readonly (string Key, ApiKeyEntry Entry) _mobile = TestKeys.Create("mobile", plan: "free");
    private readonly (string Key, ApiKeyEntry Entry) _old = TestKeys.Create("old", revokedAt: TestKeys.Created.AddDays(3));
    private readonly ApiKeyStore _store;

    public ApiKeyStoreTests() => _store = new ApiKeyStore([_billing.Entry, _mobile.Entry, _old.Entry]);

    [Fact]
    public void A_stored_key_is_accepted_and_names_its_entry()
    {
        Assert.Equal(ApiKeyStatus.Ok, _store.TryAuthenticate(TestKeys.Bytes(_billing.Key), out var entry));
        Assert.Same(_billing.Entry, entry);
        Assert.Equal(ApiKeyStatus.Ok, _store.TryAuthenticate(TestKeys.Bytes(_mobile.Key), out entry));
        Assert.Equal("free", entry!.Plan);
    }

    [Fact]
    public void No_key_is_missing()
    {
        Assert.Equal(ApiKeyStatus.Missing, _store.TryAuthenticate([], out var entry));
        Assert.Null(entry);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("Bearer edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")]
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef!")]
    public void A_key_of_the_wrong_shape_is_malformed(string presented)
    {
        Assert.Equal(ApiKeyStatus.Malformed, _store.TryAuthenticate(TestKeys.Bytes(presented), out var entry));
        Assert.Null(entry);
    }

    [Fact]
    public void A_well_formed_key_with_an_id_not_in_the_store_is_unknown()
    {
        var (stranger, _) = TestKeys.Create("stranger");
        Assert.Equal(ApiKeyStatus.Unknown, _store.TryAuthenticate(TestKeys.Bytes(stranger), out var entry));
        Assert.Null(entry);
    }

    [Fact]
    public void The_right_id_with_a_wrong_secret_is_unknown_whichever_character_differs()
    {
        var key = TestKeys.Bytes(_billing.Key);
        for (var i = 16; i < key.Length; i++)
        {
            var forged = (byte[])key.Clone();
            forged[i] = forged[i] == (byte)'a' ? (byte)'b' : (byte)'a';
            Assert.Equal(ApiKeyStatus.Unknown, _store.TryAuthenticate(forged, out var entry));
            Assert.Null(entry);
        }
        // Another key's secret behind this key's id.
        var spliced = TestKeys.Bytes(_billing.Key[..16] + _mobile.Key[16..]);
        Assert.Equal(ApiKeyStatus.Unknown, _store.TryAuthenticate(spliced, out _));
    }

    [Fact]
    public void A_revoked_key_is_revoked_but_only_for_its_real_secret()
    {
        Assert.Equal(ApiKeyStatus.Revoked, _store.TryAuthenticate(TestKeys.Bytes(_old.Key), out var entry));
        Assert.Same(_old.Entry, entry);
        var forged = TestKeys.Bytes(_old.Key[..^1] + (_old.Key[^1] == 'a' ? 'b' : 'a'));
        Assert.Equal(ApiKeyStatus.Unknown, _store.TryAuthenticate(forged, out entry));
        Assert.Null(entry);
    }

    [Fact]
    public void Revoking_an_entry_keeps_everything_else()
    {
        var at = TestKeys.Created.AddDays(10);
        var revoked = _billing.Entry.Revoke(at);
        Assert.Equal(at, revoked.RevokedAt);
        Assert.True(revoked.IsRevoked);
        Assert.False(_billing.Entry.IsRevoked);
        Assert.Equal((_billing.Entry.Id, _billing.Entry.Name, _billing.Entry.Owner, _billing.Entry.Plan, _billing.Entry.CreatedAt, _billing.Entry.Sha256Hex),
            (revoked.Id, revoked.Name, revoked.Owner, revoked.Plan, revoked.CreatedAt, revoked.Sha256Hex));
        var store = new ApiKeyStore([revoked]);
        Assert.Equal(ApiKeyStatus.Revoked, store.TryAuthenticate(TestKeys.Bytes(_billing.Key), out _));
    }

    [Fact]
    public void Entries_keep_their_order_and_are_found_by_id()
    {
        Assert.Equal(["billing", "mobile", "old"], _store.Entries.Select(e => e.Name));
        Assert.True(_store.TryGet(_mobile.Entry.Id, out var found));
        Assert.Same(_mobile.Entry, found);
        Assert.False(ApiKeyStore.Empty.TryGet(_mobile.Entry.Id, out _));
        Assert.Equal(ApiKeyStatus.Unknown, ApiKeyStore.Empty.TryAuthenticate(TestKeys.Bytes(_mobile.Key), out _));
    }

    [Fact]
    public void Two_entries_with_one_id_are_refused()
    {
        var twin = new ApiKeyEntry(_billing.Entry.Id, "twin", null, "gold", new byte[32], TestKeys.Created);
        var error = Assert.Throws<ArgumentException>(() => new ApiKeyStore([_billing.Entry, twin]));
        Assert.Contains(_billing.Entry.IdText, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_refuse_bad_names_plans_owners_and_hashes()
    {
        var id = _billing.Entry.Id;
        Assert.Throws<ArgumentException>(() => new ApiKeyEntry(id, "has space", null, "gold", new byte[32], TestKeys.Created));
        Assert.Throws<ArgumentException>(() => new ApiKeyEntry(id, "ok", null, "", new byte[32], TestKeys.Created));
        Assert.Throws<ArgumentException>(() => new ApiKeyEntry(id, "ok", "two\nlines", "gold", new byte[32], TestKeys.Created));
        Assert.Throws<ArgumentException>(() => new ApiKeyEntry(id, "ok", null, "gold", new byte[31], TestKeys.Created));
    }

    [Fact]
    public void An_entry_describes_itself_without_its_hash()
    {
        var text = _billing.Entry.ToString();
        Assert.Contains(_billing.Entry.IdText, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_billing.Entry.Sha256Hex, text, StringComparison.Ordinal);
        Assert.Equal(_billing.Entry.IdText, System.Text.Encoding.ASCII.GetString(_billing.Entry.IdUtf8.Span));
        Assert.Equal("billing", System.Text.Encoding.ASCII.GetString(_billing.Entry.NameUtf8.Span));
    }

    [Fact]
    public void Every_status_has_a_reason_for_the_403_body()
    {
        var reasons = Enum.GetValues<ApiKeyStatus>().Select(s => s.Reason()).ToList();
        Assert.Equal(reasons.Count, reasons.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("API key revoked", ApiKeyStatus.Revoked.Reason());
    }
}
