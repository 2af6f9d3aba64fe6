using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class HtmlEntityDecodeTests
{
    [Theory]
    [InlineData("&lt;script&gt;", "<script>")]
    [InlineData("&quot;&amp;&apos;", "\"&'")]
    [InlineData("a&nbsp;b", "a\u00A0b")]
    [InlineData("&lt&gt", "<>")]                      // legacy names without ';'
    [InlineData("&LT;&AMP;", "<&")]
    [InlineData("&apos", "&apos")]                    // the others need their ';'
    [InlineData("&copy;&eacute;&euro;", "\u00A9\u00E9\u20AC")]
    [InlineData("javascript&colon;alert&lpar;1&rpar;", "javascript:alert(1)")]
    [InlineData("&Lt;", "&Lt;")]                      // names are case-sensitive
    [InlineData("&unknown;", "&unknown;")]
    [InlineData("&ltx;", "&ltx;")]                    // the whole name must match
    [InlineData("AT&T", "AT&T")]
    [InlineData("&", "&")]
    [InlineData("&&lt;", "&<")]
    public void Named(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.HtmlEntityDecode, input));
    }

    [Theory]
    [InlineData("&#60;&#x3C;&#X3c;", "<<<")]
    [InlineData("&#60&#x3C", "<<")]                   // ';' optional
    [InlineData("&#0000060;", "<")]
    [InlineData("&#233;", "\u00E9")]
    [InlineData("&#x1F600;", "\U0001F600")]
    [InlineData("&#128512", "\U0001F600")]
    [InlineData("&#xD800;", "&#xD800;")]              // a surrogate is no character: kept
    [InlineData("&#x110000;", "&#x110000;")]
    [InlineData("&#99999999999999999999;", "&#99999999999999999999;")]
    [InlineData("&#;", "&#;")]
    [InlineData("&#x;", "&#x;")]
    [InlineData("&#", "&#")]
    [InlineData("&#x", "&#x")]
    [InlineData("&#0;", "\0")]
    public void Numeric(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.HtmlEntityDecode, input));
    }
}
