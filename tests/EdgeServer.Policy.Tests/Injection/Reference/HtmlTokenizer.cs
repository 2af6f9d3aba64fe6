// Frozen copy of src/EdgeServer.Policy/Injection/HtmlTokenizer.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>Where the untrusted text lands in a page: in text, or inside an attribute value of a tag.</summary>
internal enum HtmlContext : byte
{
    Data,
    UnquotedValue,
    SingleQuotedValue,
    DoubleQuotedValue,
}

internal enum HtmlTokenKind : byte
{
    End,
    TagName,
    EndTagName,
    AttributeName,
    AttributeValue,
    TagEnd,
    Comment,

    /// <summary>&lt;!...&gt; other than a comment (doctype, CDATA) and &lt;?...&gt;; the text starts at the '!' or '?'.</summary>
    Markup,
}

internal readonly record struct HtmlToken(HtmlTokenKind Kind, int Start = 0, int Length = 0);

/// <summary>
/// A tokenizer after the HTML5 one, reduced to what XSS detection needs: tag names, attribute names and values
/// (double-, single- or unquoted), comments and other markup; text is skipped. It can start inside an attribute
/// value, which is where an input reflected into <c>value="..."</c> begins. Each character is visited a bounded
/// number of times: linear.
/// </summary>
internal ref struct HtmlTokenizer
{
    private enum State : byte
    {
        Data,
        InitialValue,
        Tag,
        AfterAttributeName,
        BeforeAttributeValue,
    }

    private readonly ReadOnlySpan<char> _s;
    private readonly char _initialQuote;
    private int _pos;
    private State _state;

    public HtmlTokenizer(ReadOnlySpan<char> input, HtmlContext context)
    {
        _s = input;
        _state = context == HtmlContext.Data ? State.Data : State.InitialValue;
        _initialQuote = context switch
        {
            HtmlContext.SingleQuotedValue => '\'',
            HtmlContext.DoubleQuotedValue => '"',
            _ => '\0',
        };
    }

    /// <summary>Whether the last value read ran to the end of the input.</summary>
    public readonly bool AtEnd => _pos >= _s.Length;

    public HtmlToken Next()
    {
        while (true)
        {
            switch (_state)
            {
                case State.InitialValue:
                    _state = State.Tag;
                    if (_initialQuote == '\0')
                    {
                        SkipSpace();
                    }

                    return ReadValue(_initialQuote);
                case State.Data:
                    int lt = _s[_pos..].IndexOf('<');
                    if (lt < 0)
                    {
                        _pos = _s.Length;
                        return new(HtmlTokenKind.End);
                    }

                    _pos += lt + 1;
                    if (ReadMarkupStart() is { Kind: not HtmlTokenKind.End } token)
                    {
                        return token;
                    }

                    continue;
                case State.Tag:
                    while (_pos < _s.Length && (IsSpace(_s[_pos]) || _s[_pos] == '/'))
                    {
                        _pos++;
                    }

                    if (_pos >= _s.Length)
                    {
                        return new(HtmlTokenKind.End);
                    }

                    if (_s[_pos] == '>')
                    {
                        _pos++;
                        _state = State.Data;
                        return new(HtmlTokenKind.TagEnd);
                    }

                    // The first character is part of the name even when it is '=' (as in the HTML5 tokenizer).
                    int start = _pos++;
                    while (_pos < _s.Length && !IsSpace(_s[_pos]) && _s[_pos] is not ('/' or '>' or '='))
                    {
                        _pos++;
                    }

                    _state = State.AfterAttributeName;
                    return new(HtmlTokenKind.AttributeName, start, _pos - start);
                case State.AfterAttributeName:
                    SkipSpace();
                    if (_pos < _s.Length && _s[_pos] == '=')
                    {
                        _pos++;
                        _state = State.BeforeAttributeValue;
                    }
                    else
                    {
                        _state = State.Tag;
                    }

                    continue;
                case State.BeforeAttributeValue:
                    SkipSpace();
                    _state = State.Tag;
                    if (_pos >= _s.Length || _s[_pos] == '>')
                    {
                        continue;
                    }

                    if (_s[_pos] is '"' or '\'')
                    {
                        _pos++;
                        return ReadValue(_s[_pos - 1]);
                    }

                    return ReadValue('\0');
            }
        }
    }

    /// <summary>After a '&lt;': a start or end tag, a comment, other markup, or (End) plain text.</summary>
    private HtmlToken ReadMarkupStart()
    {
        char c = At(_pos);
        if (char.IsAsciiLetter(c) || (c == '/' && char.IsAsciiLetter(At(_pos + 1))))
        {
            bool endTag = c == '/';
            int start = endTag ? ++_pos : _pos;
            while (_pos < _s.Length && !IsSpace(_s[_pos]) && _s[_pos] is not ('/' or '>'))
            {
                _pos++;
            }

            _state = State.Tag;
            return new(endTag ? HtmlTokenKind.EndTagName : HtmlTokenKind.TagName, start, _pos - start);
        }

        if (c == '!' && At(_pos + 1) == '-' && At(_pos + 2) == '-')
        {
            int start = _pos + 3;
            int close = _s[start..].IndexOf("-->");
            _pos = close < 0 ? _s.Length : start + close + 3;
            return new(HtmlTokenKind.Comment, start, (close < 0 ? _s.Length : start + close) - start);
        }

        if (c is '!' or '?')
        {
            int start = _pos;
            int close = _s[start..].IndexOf('>');
            _pos = close < 0 ? _s.Length : start + close + 1;
            return new(HtmlTokenKind.Markup, start, (close < 0 ? _s.Length : start + close) - start);
        }

        return new(HtmlTokenKind.End);
    }

    private HtmlToken ReadValue(char quote)
    {
        int start = _pos;
        if (quote != '\0')
        {
            int close = _s[start..].IndexOf(quote);
            _pos = close < 0 ? _s.Length : start + close + 1;
            return new(HtmlTokenKind.AttributeValue, start, (close < 0 ? _s.Length : start + close) - start);
        }

        while (_pos < _s.Length && !IsSpace(_s[_pos]) && _s[_pos] != '>')
        {
            _pos++;
        }

        return new(HtmlTokenKind.AttributeValue, start, _pos - start);
    }

    private void SkipSpace()
    {
        while (_pos < _s.Length && IsSpace(_s[_pos]))
        {
            _pos++;
        }
    }

    private readonly char At(int i) => (uint)i < (uint)_s.Length ? _s[i] : '\0';

    /// <summary>HTML's whitespace (tab, LF, FF, CR, space).</summary>
    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
