using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class PathNormalizeTests
{
    [Theory]
    [InlineData("/a//b///c", "/a/b/c")]
    [InlineData("/a/./b/.", "/a/b/")]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/a/b/c/../../d", "/a/d")]
    [InlineData("/../../etc/passwd", "/etc/passwd")]   // never above the root
    [InlineData("/a/../..", "/")]
    [InlineData("/a/..", "/")]
    [InlineData("/a/b/", "/a/b/")]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("/..a/b..", "/..a/b..")]               // not dot segments
    [InlineData("/.../", "/.../")]
    [InlineData("../a/b/../c", "../a/c")]              // leading back-references of a relative path stay
    [InlineData("../../a", "../../a")]
    [InlineData("a/../../b", "../b")]
    [InlineData("./a", "a")]
    [InlineData("a/..", "")]
    [InlineData(".", "")]
    [InlineData("a\\..\\b", "a\\..\\b")]               // backslashes are NORMALIZE_PATH_WIN's
    [InlineData("..", "..")]                           // kept, and no slash added: that would lengthen it
    [InlineData("../..", "../..")]
    [InlineData("a/../..", "..")]
    [InlineData("../../", "../../")]
    public void Normalize_path(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.NormalizePath, input));
    }

    /// <summary>In place in a buffer exactly as long as the value, as a value that fills the WAF's text buffer is.</summary>
    [Theory]
    [InlineData("..")]
    [InlineData("../../..")]
    [InlineData("a/../../..")]
    [InlineData("/a/./b/.")]
    [InlineData("..\\..")]
    public void Never_writes_past_the_input(string input)
    {
        foreach (var type in new[] { TextTransformationType.NormalizePath, TextTransformationType.NormalizePathWin })
        {
            var buffer = input.ToCharArray();
            var length = TextTransformations.Apply(type, buffer, buffer);
            Assert.InRange(length, 0, input.Length);
        }
    }

    [Theory]
    [InlineData("\\a\\..\\..\\windows\\win.ini", "/windows/win.ini")]
    [InlineData("/a\\.\\b//c", "/a/b/c")]
    [InlineData("c:\\x\\..\\y", "c:/y")]
    public void Normalize_path_win(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.NormalizePathWin, input));
    }
}
