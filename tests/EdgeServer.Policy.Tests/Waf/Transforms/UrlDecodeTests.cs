using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class UrlDecodeTests
{
    [Theory]
    [InlineData("%3Cscript%3E", "<script>")]
    [InlineData("%3cscript%3e", "<script>")]
    [InlineData("a+b", "a b")]
    [InlineData("100%", "100%")]                  // truncated at the end: kept
    [InlineData("%4", "%4")]
    [InlineData("%zz%4g", "%zz%4g")]              // invalid escapes: kept
    [InlineData("%%41", "%A")]
    [InlineData("%2541", "%41")]                  // one pass only: double encoding needs the transformation twice
    [InlineData("%00", "\0")]
    [InlineData("%u0041", "%u0041")]              // %u is URL_DECODE_UNI's
    [InlineData("%C3%A9t%C3%A9", "été")]          // UTF-8 bytes decode as UTF-8
    [InlineData("%E9t%E9", "été")]                // lone non-UTF-8 bytes map to Latin-1
    [InlineData("%F0%9F%98%80", "\U0001F600")]   // four bytes: a surrogate pair
    [InlineData("%C3", "\u00C3")]                 // truncated sequence: Latin-1
    [InlineData("%C0%BC", "\u00C0\u00BC")]        // overlong '<' is not accepted as UTF-8
    [InlineData("%ED%A0%80", "\u00ED\u00A0\u0080")] // an encoded surrogate is not either
    [InlineData("%C3x%A9", "\u00C3x\u00A9")]      // a literal char ends the byte run
    [InlineData("caf\u00E9%20", "caf\u00E9 ")]    // chars already in the text are left alone
    public void Url_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.UrlDecode, input));
    }

    [Theory]
    [InlineData("%u003Cscript%u003E", "<script>")]
    [InlineData("%U003c", "<")]
    [InlineData("%uFF1Cscript%uFF1E", "<script>")] // full-width ASCII reads as ASCII
    [InlineData("%uFF01", "!")]
    [InlineData("%uFF5E", "~")]
    [InlineData("%u4E2D", "-")]                   // other code points keep their low byte (AWS)
    [InlineData("%u00E9", "\u00E9")]
    [InlineData("%u12", "%u12")]                  // truncated: kept
    [InlineData("%u12zz", "%u12zz")]
    [InlineData("%u", "%u")]
    [InlineData("%41+%u0042", "A B")]
    public void Url_decode_uni(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.UrlDecodeUni, input));
    }
}
