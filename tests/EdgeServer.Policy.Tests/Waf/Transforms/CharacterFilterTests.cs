using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class CharacterFilterTests
{
    [Theory]
    [InlineData("SeLeCT * FROM", "select * from")]
    [InlineData("\u00C9\u212A", "\u00C9\u212A")]      // A-Z only: no Unicode folding (the Kelvin sign stays)
    public void Lowercase(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.Lowercase, input));
    }

    [Theory]
    [InlineData("a  b\t\t\nc", "a b c")]
    [InlineData("\f\v\r\u00A0x", " x")]
    [InlineData("x   ", "x ")]
    [InlineData("a\u2003b", "a\u2003b")]              // only the listed characters
    public void Compress_white_space(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.CompressWhiteSpace, input));
    }

    [Theory]
    [InlineData("a\0b\0\0", "ab")]
    public void Remove_nulls(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.RemoveNulls, input));
    }

    [Theory]
    [InlineData("a\0b\0\0", "a b  ")]
    public void Replace_nulls(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.ReplaceNulls, input));
    }

    [Theory]
    [InlineData("c^a\"t /e't'c/p\\asswd", "cat/etc/passwd")]
    [InlineData("CMD.EXE /C dir", "cmd.exe/c dir")]
    [InlineData("a,b;c", "a b c")]
    [InlineData("a , ;  b", "a b")]
    [InlineData("ping  (x)", "ping(x)")]
    [InlineData("a ' b", "a b")]
    [InlineData("  x", " x")]
    public void Cmd_line(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.CmdLine, input));
    }

    [Theory]
    [InlineData("union/**/select", "union select")]
    [InlineData("un/*x*/ion", "un ion")]
    [InlineData("a/**//**/b", "a  b")]                // consecutive comments are not compressed
    [InlineData("a /* open", "a  ")]                  // unterminated: replaced too
    [InlineData("a */ b", "a */ b")]                  // a lone terminator is left alone
    [InlineData("/*/ x", " ")]
    [InlineData("/", "/")]
    public void Replace_comments(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.ReplaceComments, input));
    }
}
