using System.Buffers;

namespace EdgeServer.Policy.Injection;

/// <summary>
/// Cross-site scripting detection in the manner of libinjection's HTML5 mode: tokenize the input as HTML in each
/// place it could be reflected — in text, and inside an unquoted, single- or double-quoted attribute value (where
/// <c>" onmouseover="alert(1)</c> first closes the value) — and flag what can run script (see
/// <see cref="HtmlRules"/>). No regular expressions; allocation-free; linear; only the first
/// <see cref="InjectionLimits.MaxInputChars"/> characters are read.
/// </summary>
public static class XssDetector
{
    /// <summary>
    /// Without one of these nothing can match: a tag, comment or markup needs '&lt;' (and, in an attribute value,
    /// a '&gt;' to leave the tag first); another attribute's value needs '='; a script or data URL as the value
    /// itself needs its ':' (written or as a character reference, so '&amp;').
    /// </summary>
    private const string NeededOne = "<>=:&";

    private static readonly SearchValues<char> Needed = SearchValues.Create(NeededOne);

    /// <summary>The same, as the WAF's raw screens read it: any one of these chars.</summary>
    internal static IReadOnlyList<string> NeededChars { get; } = [.. NeededOne.Select(c => c.ToString())];

    public static bool IsXss(ReadOnlySpan<char> input)
    {
        input = InjectionLimits.Cap(input);
        if (!input.ContainsAny(Needed))
        {
            return false;
        }

        return (input.Contains('<') && Check(input, HtmlContext.Data))
            || Check(input, HtmlContext.UnquotedValue)
            || (input.Contains('\'') && Check(input, HtmlContext.SingleQuotedValue))
            || (input.Contains('"') && Check(input, HtmlContext.DoubleQuotedValue));
    }

    private static bool Check(ReadOnlySpan<char> input, HtmlContext context)
    {
        var tokenizer = new HtmlTokenizer(input, context);
        bool initialValue = context != HtmlContext.Data;
        ReadOnlySpan<char> attribute = default;
        while (true)
        {
            HtmlToken token = tokenizer.Next();
            ReadOnlySpan<char> text = input.Slice(token.Start, token.Length);
            switch (token.Kind)
            {
                case HtmlTokenKind.End:
                    return false;
                case HtmlTokenKind.TagName when HtmlRules.IsDangerousTag(text):
                case HtmlTokenKind.Comment when HtmlRules.IsDangerousComment(text):
                case HtmlTokenKind.Markup when HtmlRules.IsDangerousMarkup(text):
                    return true;
                case HtmlTokenKind.AttributeName:
                    attribute = text;
                    break;
                case HtmlTokenKind.AttributeValue when initialValue:
                    initialValue = false;
                    if (context == HtmlContext.UnquotedValue && IsScriptUrlValue(text, tokenizer.AtEnd || input[(token.Start + token.Length)..].IsWhiteSpace()))
                    {
                        return true;
                    }

                    break;
                case HtmlTokenKind.AttributeValue:
                    if (HtmlRules.IsDangerousAttribute(attribute, text))
                    {
                        return true;
                    }

                    attribute = default;
                    break;
                default:
                    attribute = token.Kind == HtmlTokenKind.TagEnd ? default : attribute;
                    break;
            }
        }
    }

    /// <summary>
    /// The whole input as a URL of unknown use (a redirect target, a link the page will render): an active data:
    /// URL, or a script URL that is the entire input and calls something. "javascript: the good parts" is prose.
    /// </summary>
    private static bool IsScriptUrlValue(ReadOnlySpan<char> value, bool wholeInput) =>
        UrlSchemes.Classify(value, out int bodyStart) switch
        {
            UrlSchemeKind.ActiveData => true,
            UrlSchemeKind.Script => wholeInput && UrlSchemes.HasCall(value[bodyStart..]),
            _ => false,
        };
}
