using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class TextTransformationsTests
{
    public static TheoryData<TextTransformationType> AllTypes()
    {
        var data = new TheoryData<TextTransformationType>();
        foreach (var type in Enum.GetValues<TextTransformationType>())
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Aws_names_round_trip(TextTransformationType type)
    {
        string name = TextTransformations.AwsName(type);
        Assert.True(TextTransformations.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Theory]
    [InlineData("URL_DECODE", TextTransformationType.UrlDecode)]
    [InlineData("HTML_ENTITY_DECODE", TextTransformationType.HtmlEntityDecode)]
    [InlineData("COMPRESS_WHITE_SPACE", TextTransformationType.CompressWhiteSpace)]
    [InlineData("BASE64_DECODE_EXT", TextTransformationType.Base64DecodeExt)]
    [InlineData("NORMALIZE_PATH_WIN", TextTransformationType.NormalizePathWin)]
    public void Parses_the_names_aws_writes(string name, TextTransformationType expected)
    {
        Assert.True(TextTransformations.TryParse(name, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("url_decode")]
    [InlineData("MD5")]
    [InlineData("UrlDecode")]
    [InlineData("")]
    public void Unknown_names_are_refused(string name)
    {
        Assert.False(TextTransformations.TryParse(name, out _));
    }

    [Fact]
    public void None_copies()
    {
        Assert.Equal("a%20B", Transform.Run(TextTransformationType.None, "a%20B"));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Empty_input_gives_empty_output(TextTransformationType type)
    {
        Assert.Equal(0, TextTransformations.Apply(type, [], []));
    }

    [Fact]
    public void A_short_output_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TextTransformations.Apply(TextTransformationType.None, "abc", new char[2]));
    }

    [Fact]
    public void An_output_starting_inside_the_input_is_refused()
    {
        var buffer = new char[8];
        Assert.Throws<ArgumentException>(() =>
            TextTransformations.Apply(TextTransformationType.None, buffer.AsSpan(0, 4), buffer.AsSpan(1)));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Allocates_nothing(TextTransformationType type)
    {
        string input = "/a/./b/../%41%u0042&lt;&#x43;\\x44 0x4546 QUJD /*c*/ \0 \t\t ja\\vascript \"x\" ^y";
        var output = new char[input.Length];
        TextTransformations.Apply(type, input, output);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100; k++)
        {
            TextTransformations.Apply(type, input, output);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Very_long_input_runs_in_linear_time(TextTransformationType type)
    {
        // Patterns that would make a careless decoder rescan: long runs of escape starts and dot segments.
        string input = string.Concat(Enumerable.Repeat("%u%&#&lt\\u\\x\\1/../a/./0x41/*\\", 40_000));
        var output = new char[input.Length];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int length = TextTransformations.Apply(type, input, output);
        Assert.InRange(length, 0, input.Length);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{type}: {clock.Elapsed} for {input.Length} chars");
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Random_input_never_throws_nor_grows(TextTransformationType type)
    {
        // Seeded: a failure reproduces. The alphabet is dense in escape syntax so the decoders' edge paths run.
        var random = new Random(4_2026);
        const string alphabet = "%uUxX&#;\\/.*+0123456789abcdefABCDEFlgtamp=^'\", \t\r\n\0\u00A0\u00E9\uFF1C\uD83D\uDE00";
        var buffer = new char[300];
        for (int round = 0; round < 3_000; round++)
        {
            int length = random.Next(buffer.Length);
            for (int k = 0; k < length; k++)
            {
                buffer[k] = random.Next(8) == 0 ? (char)random.Next(0x10000) : alphabet[random.Next(alphabet.Length)];
            }

            string input = new(buffer, 0, length);
            Assert.InRange(Transform.Run(type, input).Length, 0, length);
        }
    }

    [Fact]
    public void Long_plain_prefixes_take_the_vectorised_path_and_decode_the_rest()
    {
        // The decoders copy (or leave in place) everything before the first escape in one go: the text
        // after it must still be decoded exactly, and a long run of plain text must come back unchanged.
        string plain = new('a', 300);
        Assert.Equal(plain + "<b> c" + plain, Transform.Run(TextTransformationType.UrlDecode, plain + "%3Cb%3E+c" + plain));
        Assert.Equal(plain + "<é>", Transform.Run(TextTransformationType.HtmlEntityDecode, plain + "&lt;&eacute;&gt;"));
        Assert.Equal(plain, Transform.Run(TextTransformationType.UrlDecodeUni, plain));
        Assert.Equal(plain, Transform.Run(TextTransformationType.HtmlEntityDecode, plain));
        // Lowercase stops vectorising at the first non-ASCII char; what follows is still lowered (A-Z only).
        Assert.Equal(plain + "\u00C9a\u212Ab", Transform.Run(TextTransformationType.Lowercase, plain.ToUpperInvariant() + "\u00C9A\u212AB"));
    }
}
