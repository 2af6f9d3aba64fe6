using System.Text;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf;

/// <summary>
/// The raw screen's model of each transformation ("this output char can only come from these input chars") checked
/// against the transformations themselves on random text built from the pieces that make them decode.
/// </summary>
public sealed class RawScreenTests
{
    private static readonly string[] Pieces =
    [
        "a", "B", "z", "Z", "0", "9", "/", ".", "..", "./", "//", "\\", "%", "%2e", "%2F", "%3c", "%u002e", "%U0041", "%c3%a9", "%zz", "+",
        " ", "\t", "\u00A0", "\0", "&", "&lt;", "&#60;", "&#x3c;", "&amp", "\\x3c", "\\u0041", "\\n", "\\\\", "\\3c ", "<", ">", "=", ":", "$", "{",
        "(", ")", "À", "é", "\u00FF", "'", "\"",
    ];

    private static readonly TextTransformationType[] Modelled = Enum.GetValues<TextTransformationType>()
        .Where(t => RawScreen.Sources([t], "a") is not null).ToArray();

    [Fact]
    public void Models_the_transformations_whose_output_chars_are_bounded_and_no_other()
    {
        TextTransformationType[] unbounded = [TextTransformationType.Base64Decode, TextTransformationType.Base64DecodeExt,
            TextTransformationType.HexDecode, TextTransformationType.SqlHexDecode, TextTransformationType.CmdLine, TextTransformationType.ReplaceComments];
        Assert.Equal(Enum.GetValues<TextTransformationType>().Except(unbounded).Order(), Modelled.Order());
    }

    [Fact]
    public void An_output_char_is_never_made_from_input_the_model_says_cannot_make_it()
    {
        var random = new Random(23);
        var targets = "aAzZ0/.\\%+ \t&<>=:${(\0éÀ".ToCharArray();
        for (var round = 0; round < 20_000; round++)
        {
            var chain = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Modelled[random.Next(Modelled.Length)]).ToArray();
            var input = Build(random);
            var output = Apply(chain, input);
            foreach (var target in targets)
            {
                if (!output.Contains(target)) continue;
                var sources = RawScreen.Sources(chain, [target])!;
                Assert.True(input.Any(sources.Contains),
                    $"'{target}' came out of [{string.Join(" > ", chain)}] applied to \"{input}\" (\"{output}\") without any of its sources [{string.Join("", sources)}]");
            }
        }
    }

    [Fact]
    public void Screens_on_the_char_least_common_in_ordinary_values()
    {
        var screen = RawScreen.For([TextTransformationType.UrlDecodeUni, TextTransformationType.Lowercase], new RegexPredicate(
            new System.Text.RegularExpressions.Regex(@"\$\{(jndi|env):", System.Text.RegularExpressions.RegexOptions.NonBacktracking)))!;
        Assert.True(screen.Contains((byte)'$') || screen.Contains((byte)'{'));
        Assert.True(screen.Contains((byte)'%'));
        Assert.False(screen.Contains((byte)'a'));

        // "/admin" after LOWERCASE: a letter rarer than '/', with its upper case.
        var admin = RawScreen.For([TextTransformationType.Lowercase], new ByteMatchPredicate("/admin", PositionalConstraint.StartsWith))!;
        Assert.False(admin.Contains((byte)'/'));
        Assert.True(admin.Contains((byte)'m') && admin.Contains((byte)'M'));
    }

    [Fact]
    public void Gives_no_screen_when_the_predicate_needs_nothing_or_a_transformation_is_unbounded()
    {
        Assert.Null(RawScreen.For([], new SqliPredicate()));
        Assert.Null(RawScreen.For([], new SizePredicate(ComparisonOperator.Gt, 10)));
        Assert.Null(RawScreen.For([], new ByteMatchPredicate("", PositionalConstraint.Exactly)));
        Assert.Null(RawScreen.For([TextTransformationType.Base64Decode], new ByteMatchPredicate("<script", PositionalConstraint.Contains)));
        Assert.NotNull(RawScreen.For([TextTransformationType.UrlDecode, TextTransformationType.HtmlEntityDecode], new XssPredicate()));
    }

    private static string Build(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(0, 12);
        for (var i = 0; i < count; i++) text.Append(Pieces[random.Next(Pieces.Length)]);
        return text.ToString();
    }

    private static string Apply(TextTransformationType[] chain, string input)
    {
        var buffer = input.ToCharArray();
        var length = buffer.Length;
        foreach (var t in chain) length = TextTransformations.Apply(t, buffer.AsSpan(0, length), buffer);
        return new string(buffer, 0, length);
    }
}
