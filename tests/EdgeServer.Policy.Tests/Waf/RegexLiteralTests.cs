using System.Text.RegularExpressions;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Tests.Waf;

/// <summary>The literal a regex needs before it can match: found where the pattern makes it plain, and never wrong.</summary>
public sealed class RegexLiteralTests
{
    private const RegexOptions WafOptions = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    [Theory]
    [InlineData(@"\$\{(jndi|lower|upper):", "${")]
    [InlineData(@"\(\s*\)\s*\{", "(")]
    [InlineData("sqlmap", "sqlmap")]
    [InlineData("^/admin", "/admin")]
    [InlineData("ab*c", "a")]
    [InlineData("ab?c", "a")]
    [InlineData("ab{2}c", "a")]
    [InlineData("ab+c", "ab")]
    [InlineData(@"abc\|def", "abc|def")]
    [InlineData("abc[|]", "abc")]
    [InlineData("abc(?#a|b)d", "abc")]
    [InlineData("abc(?i)def", "abc")]
    [InlineData("a b.c", "a b")]
    [InlineData(@"<script\b", "<script")]
    public void Finds_the_prefix_every_match_starts_with(string pattern, string literal) =>
        Assert.Equal(literal, RegexLiteral.RequiredPrefix(pattern, WafOptions));

    [Theory]
    [InlineData("^(GET|HEAD|POST)$")]
    [InlineData("abc|def")]
    [InlineData("(abc)|def")]
    [InlineData(@"\d+abc")]
    [InlineData(@"\x41BC")]
    [InlineData("[abc]def")]
    [InlineData("[]|]x|y")]
    [InlineData("a[b-c-[c]]|d")]
    [InlineData("(?i)abc")]
    [InlineData(".*abc")]
    [InlineData("a*bc")]
    [InlineData("abc)")]
    [InlineData("(abc")]
    [InlineData("")]
    public void Finds_none_where_no_literal_is_certain(string pattern) =>
        Assert.Null(RegexLiteral.RequiredPrefix(pattern, WafOptions));

    [Fact]
    public void Finds_none_when_case_or_whitespace_options_change_what_a_literal_matches()
    {
        Assert.Null(RegexLiteral.RequiredPrefix("abc", WafOptions | RegexOptions.IgnoreCase));
        Assert.Null(RegexLiteral.RequiredPrefix("a b", WafOptions | RegexOptions.IgnorePatternWhitespace));
    }

    /// <summary>The predicate (literal first, then the regex) against the regex alone, on random text built from the patterns' own pieces.</summary>
    [Fact]
    public void The_predicate_agrees_with_the_regex_alone()
    {
        string[] patterns = [@"\$\{(jndi|env):", @"\(\s*\)\s*\{", "ab+c", "ab*c", @"abc\|d", "abc[|]x", "^/adm(in)?", "x|ab", "a{2}b", "(?:ab)+c"];
        string[] pieces = ["$", "{", "${", "jndi", "env", ":", "(", ")", " ", "\t", "a", "b", "c", "|", "d", "x", "/adm", "in", "ab", "abc"];
        var random = new Random(11);
        foreach (var pattern in patterns)
        {
            var regex = new Regex(pattern, WafOptions);
            var predicate = new RegexPredicate(regex);
            for (var n = 0; n < 2000; n++)
            {
                var text = string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => pieces[random.Next(pieces.Length)]));
                Assert.True(regex.IsMatch(text) == predicate.Test(text), $"/{pattern}/ on \"{text}\"");
            }
        }
    }
}
