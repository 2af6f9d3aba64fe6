using EdgeServer.Policy.Injection;

namespace EdgeServer.Policy.Tests.Injection;

public class XssDetectorTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<ScRiPt src=//x.example/a.js>")]
    [InlineData("<scr<script>ipt>alert(1)")]
    [InlineData("<svg:script>alert(1)")]
    [InlineData("<iframe src=//x.example>")]
    [InlineData("<object data=x>")]
    [InlineData("<embed src=x.swf>")]
    [InlineData("<svg><g/>")]
    [InlineData("<base href=//x.example/>")]
    [InlineData("<meta http-equiv=refresh content=0>")]
    public void DangerousTags(string input) => Assert.True(XssDetector.IsXss(input));

    [Theory]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<img/src/onerror=alert(1)>")]
    [InlineData("<body ONLOAD=\"alert(1)\">")]
    [InlineData("<details open ontoggle=alert`1`>")]
    [InlineData("<a href=x onmouseover='location=1'>")]
    [InlineData("<img src=x onerror=alert&#40;1&#41;>")]
    public void EventHandlers(string input) => Assert.True(XssDetector.IsXss(input));

    [Theory]
    [InlineData("<a href=\"javascript:alert(1)\">")]
    [InlineData("<a href=\" JaVaScRiPt:alert(1)\">")]
    [InlineData("<a href=\"java&#x09;script:alert(1)\">")]
    [InlineData("<a href=\"&#106;avascript:alert(1)\">")]
    [InlineData("<a href=\"javascript&colon;alert(1)\">")]
    [InlineData("<a href=\"java\nscript:alert(1)\">")]
    [InlineData("<form action=vbscript:msgbox(1)>")]
    [InlineData("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">")]
    [InlineData("javascript:alert(document.domain)")]
    [InlineData("data:text/html,<b>x</b>")]
    public void ScriptUrls(string input) => Assert.True(XssDetector.IsXss(input));

    [Theory]
    [InlineData("<div style=\"width:expression(alert(1))\">")]
    [InlineData("<div style=\"x:expr/**/ession(alert(1))\">")]
    [InlineData("<p style=\"x:\\65xpression(alert(1))\">")]
    [InlineData("<div style=\"background:url(javascript:alert(1))\">")]
    [InlineData("<!--[if IE]><b>x</b><![endif]-->")]
    [InlineData("<![CDATA[x]]>")]
    [InlineData("<?xml-stylesheet href=x?>")]
    [InlineData("<div srcdoc=\"&lt;b&gt;\">")]
    public void StylesCommentsAndMarkup(string input) => Assert.True(XssDetector.IsXss(input));

    [Theory]
    [InlineData("\" onmouseover=\"alert(1)")]
    [InlineData("' autofocus onfocus=alert(1) x='")]
    [InlineData("x onerror=alert(1)")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    [InlineData("\" style=\"behavior:url(x.htc)")]
    public void AttributeValueBreakouts(string input) => Assert.True(XssDetector.IsXss(input));

    [Theory]
    [InlineData("a < b and c > d")]
    [InlineData("i <3 you")]
    [InlineData("<b>bold</b> and <a href=\"https://example.com\">link</a>")]
    [InlineData("<img src=cat.png alt=\"cat\">")]
    [InlineData("<div onboarding=\"true\" class=note>")]
    [InlineData("sort=price onSale=true")]
    [InlineData("online shopping")]
    [InlineData("<span style=\"color: red\">x</span>")]
    [InlineData("JavaScript: The Good Parts (2008)")]
    [InlineData("javascript:void(0) meaning")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("Map<String, Object>")]
    [InlineData("<!-- a comment --> <!DOCTYPE html>")]
    [InlineData("O'Brien said \"hi\"")]
    [InlineData("")]
    public void OrdinaryText(string input) => Assert.False(XssDetector.IsXss(input));

    [Fact]
    public void OnlyTheFirst8KiBAreRead()
    {
        string padding = new('a', InjectionLimits.MaxInputChars);
        Assert.True(XssDetector.IsXss("<script>" + padding));
        Assert.False(XssDetector.IsXss(padding + "<script>alert(1)</script>"));
    }
}
