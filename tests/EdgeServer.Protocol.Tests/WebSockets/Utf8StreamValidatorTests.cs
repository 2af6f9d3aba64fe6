using System.Text.Unicode;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// UTF-8 in pieces must be judged exactly as the BCL judges the whole (<see cref="Utf8.IsValid"/>), wherever it is
/// cut, and must fail at the first piece that can no longer be valid.
/// </summary>
public class Utf8StreamValidatorTests
{
    private static bool Validate(byte[] data, params int[] cuts)
    {
        var validator = new Utf8StreamValidator();
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            if (!validator.Append(data.AsSpan(start, cut - start))) return false;
            start = cut;
        }
        return validator.IsAtBoundary;
    }

    public static TheoryData<string> Samples => new()
    {
        "", "a", "é", "€", "𐍈", "aé€𐍈", "\u0080\u07FF\u0800\uFFFF\U00010000\U0010FFFF", "κόσμε", "mixed ascii then 😀 and back",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Valid_text_is_valid_cut_anywhere_once_or_twice(string text)
    {
        var data = Encoding.UTF8.GetBytes(text);
        Assert.True(Validate(data));
        for (var a = 0; a <= data.Length; a++)
        {
            Assert.True(Validate(data, a), $"cut at {a}");
            for (var b = a; b <= data.Length; b++) Assert.True(Validate(data, a, b), $"cuts at {a},{b}");
        }
        Assert.True(Validate(data, Enumerable.Range(0, data.Length).ToArray()), "byte by byte");
    }

    [Theory]
    [InlineData("C0AF")]          // overlong '/'
    [InlineData("C1BF")]
    [InlineData("E080AF")]        // overlong 3-byte
    [InlineData("F08080AF")]      // overlong 4-byte
    [InlineData("EDA080")]        // high surrogate
    [InlineData("EDBFBF")]        // low surrogate
    [InlineData("F4908080")]      // above U+10FFFF
    [InlineData("F5808080")]
    [InlineData("FF")]
    [InlineData("80")]            // stray continuation
    [InlineData("61BF")]
    [InlineData("E282")]          // truncated at the end
    [InlineData("F09F98")]
    [InlineData("C3")]
    [InlineData("E28241")]        // truncated by ASCII
    [InlineData("CEBAE1BDB9CF83CEBCCEB5EDA080656469746564")] // Autobahn 6.4.x: κόσμε then a surrogate
    public void Invalid_sequences_are_invalid_cut_anywhere(string hex)
    {
        var data = Convert.FromHexString(hex);
        Assert.False(Utf8.IsValid(data));
        Assert.False(Validate(data));
        for (var a = 0; a <= data.Length; a++)
        {
            Assert.False(Validate(data, a), $"cut at {a}");
            for (var b = a; b <= data.Length; b++) Assert.False(Validate(data, a, b), $"cuts at {a},{b}");
        }
    }

    [Theory]
    [InlineData("E080")]
    [InlineData("EDA0")]
    [InlineData("F490")]
    [InlineData("F080")]
    [InlineData("C0")]
    public void Fails_fast_on_a_prefix_that_cannot_become_valid(string hex)
    {
        var validator = new Utf8StreamValidator();
        var data = Convert.FromHexString(hex);
        var results = data.Select(b => validator.Append([b])).ToArray();
        Assert.False(results[^1]);
    }

    [Fact]
    public void Random_bytes_agree_with_the_bcl_however_cut()
    {
        var random = new Random(1007);
        byte[] alphabet = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x90, 0x8F];
        for (var round = 0; round < 20000; round++)
        {
            var data = new byte[random.Next(0, 12)];
            for (var i = 0; i < data.Length; i++) data[i] = alphabet[random.Next(alphabet.Length)];
            var cuts = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, data.Length + 1)).Order().ToArray();
            Assert.True(Utf8.IsValid(data) == Validate(data, cuts), $"{Convert.ToHexString(data)} cut at {string.Join(",", cuts)}");
        }
    }
}
