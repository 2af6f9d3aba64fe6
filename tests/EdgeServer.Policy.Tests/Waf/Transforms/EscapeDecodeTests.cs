using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class EscapeDecodeTests
{
    [Theory]
    [InlineData("\\x3cscript\\x3e", "<script>")]
    [InlineData("\\u003Cscript\\u003E", "<script>")]
    [InlineData("\\uFF1Cscript\\uFF1E", "<script>")]  // full-width ASCII reads as ASCII
    [InlineData("\\u4E2D", "-")]                      // other code points keep the low byte (AWS)
    [InlineData("\\74\\074\\0", "<<\0")]
    [InlineData("\\477", "'7")]                       // a third digit only while it fits a byte
    [InlineData("\\a\\b\\f\\n\\r\\t\\v", "\a\b\f\n\r\t\v")]
    [InlineData("\\\\\\'\\\"\\?\\/", "\\'\"?/")]
    [InlineData("al\\ert", "alert")]                  // any other escaped char is itself
    [InlineData("\\u12", "u12")]                      // incomplete \u and \x: the letter
    [InlineData("\\x4", "x4")]
    [InlineData("\\xC3\\xA9", "\u00E9")]              // decoded bytes read as UTF-8
    [InlineData("abc\\", "abc\\")]                    // a backslash at the end stays
    public void Js_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.JsDecode, input));
    }

    [Theory]
    [InlineData("ja\\vascript", "javascript")]       // AWS's example: backslash before a non-hex char
    [InlineData("\\3c script", "<script")]           // one white-space char after a hex escape is eaten
    [InlineData("\\3c  x", "< x")]
    [InlineData("\\00003c", "<")]                    // up to six hex digits
    [InlineData("\\00003cd", "<d")]                  // the seventh is text
    [InlineData("\\65\\78pression", "expression")]
    [InlineData("\\ff1c", "<")]                      // full-width ASCII
    [InlineData("\\01ff1c", "\u001C")]               // beyond U+FFFF: low byte only
    [InlineData("\\4E2D", "-")]
    [InlineData("a\\\nb", "ab")]                     // line continuation
    [InlineData("abc\\", "abc")]                     // a backslash at the end is dropped
    [InlineData("\\\\", "\\")]
    [InlineData("\\c3\\a9", "\u00E9")]
    public void Css_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.CssDecode, input));
    }

    [Theory]
    [InlineData("\\a\\b\\f\\n\\r\\t\\v", "\a\b\f\n\r\t\v")]
    [InlineData("\\\\\\?\\'\\\"", "\\?'\"")]
    [InlineData("\\x41\\X42", "AB")]
    [InlineData("\\101\\0", "A\0")]
    [InlineData("\\0101", "\u00081")]                // three octal digits at most
    [InlineData("\\q\\x4G\\x", "\\q\\x4G\\x")]       // invalid encodings remain (AWS)
    [InlineData("end\\", "end\\")]
    [InlineData("\\xC3\\xA9", "\u00E9")]
    public void Escape_seq_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.EscapeSeqDecode, input));
    }
}
