using System.Text;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>The <c>edge_&lt;id&gt;_&lt;secret&gt;</c> shape: what is generated, what parses, what does not.</summary>
public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generated_keys_have_the_documented_shape_and_parse_back_to_their_id()
    {
        for (var i = 0; i < 200; i++)
        {
            var key = ApiKeyFormat.Generate();
            Assert.Equal(59, key.Length);
            Assert.Matches("^edge_[a-z2-7]{10}_[0-9A-Za-z]{43}$", key);
            Assert.True(ApiKeyFormat.TryParse(key, out var id));
            Assert.Equal(key.Substring(5, 10), id.ToString());
            Assert.True(ApiKeyFormat.TryParse(Encoding.ASCII.GetBytes(key), out var fromBytes));
            Assert.Equal(id, fromBytes);
        }
    }

    [Fact]
    public void Secrets_are_random_and_use_the_whole_base62_alphabet()
    {
        var keys = Enumerable.Range(0, 2000).Select(_ => ApiKeyFormat.Generate()).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(keys.Count, keys.Select(k => k[5..15]).Distinct(StringComparer.Ordinal).Count());
        var used = keys.SelectMany(k => k[16..]).ToHashSet();
        Assert.Equal(62, used.Count);
        // 86,000 draws over 62 characters: each about 1,387 times; a biased generator would miss this by far.
        var counts = keys.SelectMany(k => k[16..]).GroupBy(c => c).Select(g => g.Count()).ToList();
        Assert.InRange(counts.Min(), 1150, 1387);
        Assert.InRange(counts.Max(), 1387, 1650);
    }

    [Fact]
    public void Generate_with_an_id_keeps_the_id()
    {
        Assert.True(ApiKeyId.TryParse("abcdefgh27", out var id));
        var key = ApiKeyFormat.Generate(id);
        Assert.StartsWith("edge_abcdefgh27_", key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("edge_")]
    [InlineData("edge_abcdefghij")]
    [InlineData("edge_abcdefghij_")]
    [InlineData("EDGE_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")] // prefix is case-sensitive
    [InlineData("edgx_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")]
    [InlineData("edge_abcdefghij-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")] // separator
    [InlineData("edge_abcdefghi1_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")] // 1 is not base32
    [InlineData("edge_ABCDEFGHIJ_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg")] // ids are lowercase
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef-")] // '-' is not base62
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef_")]
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")] // one short
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh")] // one long
    [InlineData(" edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")]
    [InlineData("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdeé")]
    public void Anything_else_does_not_parse(string text)
    {
        Assert.False(ApiKeyFormat.TryParse(text, out _));
        Assert.False(ApiKeyFormat.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void A_valid_looking_key_parses()
    {
        Assert.True(ApiKeyFormat.TryParse("edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg", out var id));
        Assert.Equal("abcdefghij", id.ToString());
    }

    [Theory]
    [InlineData("aaaaaaaaaa", 0UL)]
    [InlineData("aaaaaaaaab", 1UL)]
    [InlineData("aaaaaaaaa7", 31UL)]
    [InlineData("aaaaaaaaba", 32UL)]
    [InlineData("7777777777", (1UL << 50) - 1)]
    public void Ids_pack_five_bits_per_character_most_significant_first(string text, ulong value)
    {
        Assert.True(ApiKeyId.TryParse(text, out var id));
        Assert.Equal(value, id.Value);
        Assert.Equal(text, new ApiKeyId(value).ToString());
        Span<byte> formatted = stackalloc byte[10];
        id.Format(formatted);
        Assert.Equal(text, Encoding.ASCII.GetString(formatted));
    }

    [Fact]
    public void An_id_holds_no_more_than_fifty_bits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiKeyId(1UL << 50));
        for (var i = 0; i < 100; i++) Assert.True(ApiKeyId.NewRandom().Value < 1UL << 50);
    }

    [Fact]
    public void The_stored_hash_is_sha256_of_the_whole_key()
    {
        const string key = "edge_abcdefghij_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg";
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(key)), ApiKeyFormat.Hash(key));
        // echo -n <key> | sha256sum
        Assert.Equal("fd4c9049eacde70b039ed7d70016483a8fb10705aa3f917400a919286273f49d", Convert.ToHexStringLower(ApiKeyFormat.Hash(key)));
    }

    [Theory]
    [InlineData("billing", true)]
    [InlineData("billing-service.v2", true)]
    [InlineData("team:payments/ci@eu+1", true)]
    [InlineData("9lives", true)]
    [InlineData("", false)]
    [InlineData("-leading-dash", false)]
    [InlineData("has space", false)]
    [InlineData("quote\"d", false)]
    [InlineData("naïve", false)]
    public void Names_are_short_tokens_safe_in_headers_logs_and_labels(string name, bool valid)
    {
        Assert.Equal(valid, ApiKeyNames.IsValidName(name));
        Assert.True(ApiKeyNames.IsValidName(new string('a', 64)));
        Assert.False(ApiKeyNames.IsValidName(new string('a', 65)));
    }

    [Theory]
    [InlineData("Team Payments <payments@example.com>", true)]
    [InlineData("Zoë Müller", true)]
    [InlineData("emoji 🚀 ok", true)]
    [InlineData("two\nlines", false)]
    [InlineData(" padded", false)]
    [InlineData("tab\there", false)]
    [InlineData("", false)]
    public void Owners_are_one_printable_line(string owner, bool valid) =>
        Assert.Equal(valid, ApiKeyNames.IsValidOwner(owner));

    [Fact]
    public void Owners_with_a_lone_surrogate_cannot_be_written_as_utf8_and_are_refused()
    {
        // Built at run time: attribute arguments would turn the lone surrogate into U+FFFD.
        Assert.False(ApiKeyNames.IsValidOwner("lone " + (char)0xD800 + " high"));
        Assert.False(ApiKeyNames.IsValidOwner("lone " + (char)0xDC00 + " low"));
        Assert.False(ApiKeyNames.IsValidOwner("ends high " + (char)0xD83D));
        Assert.True(ApiKeyNames.IsValidOwner("pair " + (char)0xD83D + (char)0xDE80));
        Assert.False(ApiKeyNames.IsValidOwner("line\u2028separator"));
        Assert.False(ApiKeyNames.IsValidOwner("next\u0085line"));
    }
}
