// Frozen copy of src/EdgeServer.Policy/Injection/SqlTokenizer.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>
/// Splits text into SQL tokens the way a permissive SQL engine would (MySQL, MSSQL, PostgreSQL, Oracle, SQLite
/// taken together): strings with doubled-quote and backslash escapes, numbers (decimal, hex, binary), words
/// classified by <see cref="SqlKeywords"/>, operators, comments (<c>--</c>, <c>#</c>, <c>/* */</c>) and MySQL
/// versioned comments, whose body is code. It can start inside a quoted literal, which is the view of an
/// injection into a quoted parameter. One pass, no backtracking beyond a bounded look-ahead: linear.
/// </summary>
internal ref struct SqlTokenizer
{
    /// <summary>Words are classified from this many lower-cased characters; longer words are plain barewords.</summary>
    public const int WordCapacity = 32;

    /// <summary>How many comment-split pieces (UN/**/ION) one word may be glued from.</summary>
    private const int MaxWordPieces = 4;

    private readonly ReadOnlySpan<char> _s;
    private readonly Span<char> _word;
    private readonly char _contextQuote;
    private int _pos;
    private char _openQuote;
    private bool _inVersionedComment;

    public SqlTokenizer(ReadOnlySpan<char> input, char openQuote, Span<char> wordScratch)
    {
        _s = input;
        _word = wordScratch;
        _contextQuote = openQuote;
        _openQuote = openQuote;
    }

    public SqlToken Next()
    {
        if (_openQuote != '\0')
        {
            char q = _openQuote;
            _openQuote = '\0';
            return ReadString(q);
        }

        while (_pos < _s.Length)
        {
            char c = _s[_pos];
            if (IsSpace(c))
            {
                _pos++;
                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    _pos++;
                    return ReadString(c);
                case '`':
                    _pos++;
                    ReadString('`');
                    return new(SqlKind.Bareword);
                case '(':
                    _pos++;
                    return new(SqlKind.LeftParen);
                case ')':
                    _pos++;
                    return new(SqlKind.RightParen);
                case ';':
                    _pos++;
                    return new(SqlKind.Semicolon);
                case ',':
                    _pos++;
                    return new(SqlKind.Comma);
                case '#':
                    return SkipLineComment();
                case '-' when At(_pos + 1) == '-':
                    return SkipLineComment();
                case '/' when At(_pos + 1) == '*':
                    if (SkipBlockComment())
                    {
                        return new(SqlKind.Comment);
                    }

                    continue;
                case '*' when _inVersionedComment && At(_pos + 1) == '/':
                    // The end of a /*! ... */ whose body was read as code.
                    _inVersionedComment = false;
                    _pos += 2;
                    continue;
                case '@':
                    return ReadVariable();
                case '.' when IsDigit(At(_pos + 1)):
                    return ReadNumber();
            }

            if (IsDigit(c))
            {
                return ReadNumber();
            }

            if (IsWordStart(c))
            {
                return ReadWord();
            }

            return ReadOperator();
        }

        return new(SqlKind.End);
    }

    private readonly char At(int i) => (uint)i < (uint)_s.Length ? _s[i] : '\0';

    private SqlToken ReadString(char quote)
    {
        int start = _pos;
        while (_pos < _s.Length)
        {
            char c = _s[_pos];
            if (c == '\\')
            {
                _pos += 2;
                continue;
            }

            _pos++;
            if (c == quote)
            {
                if (At(_pos) != quote)
                {
                    return new(SqlKind.String);
                }

                _pos++;
            }
        }

        _pos = _s.Length;
        bool closedByApplication = quote == _contextQuote && IsOneValue(_s[start..]);
        return new(SqlKind.String, Flags: SqlFlags.Unterminated | (closedByApplication ? SqlFlags.ValueClosedByApplication : SqlFlags.None));
    }

    /// <summary>
    /// Whether the text after an opening quote is one value ('1', 'x', trailing spaces allowed) rather than words:
    /// a quote followed by a space, or text with spaces inside, is prose quoting, not a literal being opened.
    /// </summary>
    private static bool IsOneValue(ReadOnlySpan<char> text)
    {
        int end = text.Length;
        while (end > 0 && IsSpace(text[end - 1]))
        {
            end--;
        }

        for (int i = 0; i < end; i++)
        {
            if (IsSpace(text[i]))
            {
                return false;
            }
        }

        return end > 0;
    }

    private SqlToken SkipLineComment()
    {
        while (_pos < _s.Length && _s[_pos] is not ('\n' or '\r'))
        {
            _pos++;
        }

        return new(SqlKind.Comment);
    }

    /// <summary>Skips /* ... */ (or to the end). Returns false for /*! which opens code rather than a comment.</summary>
    private bool SkipBlockComment()
    {
        if (At(_pos + 2) == '!')
        {
            _pos += 3;
            for (int digits = 0; digits < 6 && IsDigit(At(_pos)); digits++)
            {
                _pos++;
            }

            _inVersionedComment = true;
            return false;
        }

        int close = _s[(_pos + 2)..].IndexOf("*/");
        _pos = close < 0 ? _s.Length : _pos + 2 + close + 2;
        return true;
    }

    private SqlToken ReadVariable()
    {
        while (At(_pos) == '@')
        {
            _pos++;
        }

        if (At(_pos) is '\'' or '"' or '`')
        {
            _pos++;
            ReadString(_s[_pos - 1]);
        }
        else
        {
            while (_pos < _s.Length && IsWordChar(_s[_pos]))
            {
                _pos++;
            }
        }

        return new(SqlKind.Variable);
    }

    private SqlToken ReadNumber()
    {
        if (_s[_pos] == '0' && (At(_pos + 1) | 0x20) is 'x' or 'b')
        {
            bool hex = (At(_pos + 1) | 0x20) == 'x';
            _pos += 2;
            while (_pos < _s.Length && (hex ? char.IsAsciiHexDigit(_s[_pos]) : _s[_pos] is '0' or '1'))
            {
                _pos++;
            }

            return new(SqlKind.Number);
        }

        SkipDigits();
        if (At(_pos) == '.')
        {
            _pos++;
            SkipDigits();
        }

        if ((At(_pos) | 0x20) == 'e' && (IsDigit(At(_pos + 1)) || (At(_pos + 1) is '+' or '-' && IsDigit(At(_pos + 2)))))
        {
            _pos += 2;
            SkipDigits();
        }

        return new(SqlKind.Number);
    }

    private void SkipDigits()
    {
        while (_pos < _s.Length && IsDigit(_s[_pos]))
        {
            _pos++;
        }
    }

    private SqlToken ReadWord()
    {
        int length = ReadWordPiece(0, out bool overflow);

        // Comment-split keywords (UN/**/ION, SEL/**/ECT): glue pieces while the result becomes a keyword, keeping
        // the longest glued prefix that classifies; "users/**/where" stays two tokens.
        int acceptedEnd = _pos, acceptedLength = length;
        for (int piece = 1; piece < MaxWordPieces && !overflow && At(_pos) == '/' && At(_pos + 1) == '*' && At(_pos + 2) != '!'; piece++)
        {
            int close = _s[(_pos + 2)..].IndexOf("*/");
            if (close < 0 || !IsWordChar(At(_pos + 2 + close + 2)))
            {
                break;
            }

            _pos += 2 + close + 2;
            length = ReadWordPiece(length, out overflow);
            if (!overflow && (SqlKeywords.Classify(_word[..length]).Kind != SqlKind.Bareword || IsDangerousName(_word[..length])))
            {
                acceptedEnd = _pos;
                acceptedLength = length;
            }
        }

        _pos = acceptedEnd;
        length = acceptedLength;
        if (overflow)
        {
            return new(SqlKind.Bareword);
        }

        ReadOnlySpan<char> word = _word[..length];

        // Prefixed literals: N'..', X'..', B'..', E'..' and MySQL charset introducers (_utf8'..').
        if (At(_pos) == '\'' && ((length == 1 && word[0] is 'n' or 'x' or 'b' or 'e') || word[0] == '_'))
        {
            _pos++;
            return ReadString('\'');
        }

        SqlToken token = SqlKeywords.Classify(word);
        bool dangerous = IsDangerousName(word);
        bool call = NextSignificantIsLeftParen();
        bool callable = token.Kind is SqlKind.Bareword || (token.Kind == SqlKind.Keyword && token.Word is SqlWord.None or SqlWord.User or SqlWord.Database or SqlWord.Schema or SqlWord.Values)
            || token.Word is SqlWord.Replace or SqlWord.Insert;
        if (call && callable)
        {
            token = new(SqlKind.Function);
        }

        return dangerous ? token with { Flags = SqlFlags.Dangerous } : token;
    }

    /// <summary>Reads word characters into the scratch after <paramref name="length"/>, lower-cased.</summary>
    private int ReadWordPiece(int length, out bool overflow)
    {
        overflow = false;
        while (_pos < _s.Length && IsWordChar(_s[_pos]))
        {
            if (length < _word.Length)
            {
                _word[length++] = char.ToLowerInvariant(_s[_pos]);
            }
            else
            {
                overflow = true;
            }

            _pos++;
        }

        return length;
    }

    /// <summary>A dangerous name, or an MSSQL extended/system procedure under any qualification (master..xp_cmdshell).</summary>
    private static bool IsDangerousName(ReadOnlySpan<char> word)
    {
        ReadOnlySpan<char> last = word[(word.LastIndexOf('.') + 1)..];
        return SqlKeywords.IsDangerous(word) || (last.Length != word.Length && (last.StartsWith("xp_") || last.StartsWith("sp_")) && SqlKeywords.IsDangerous(last));
    }

    /// <summary>Whether a '(' follows, across whitespace and plain comments (sleep/**/(5) is still a call).</summary>
    private readonly bool NextSignificantIsLeftParen()
    {
        int i = _pos;
        while (i < _s.Length)
        {
            char c = _s[i];
            if (IsSpace(c))
            {
                i++;
            }
            else if (c == '/' && At(i + 1) == '*' && At(i + 2) != '!')
            {
                int close = _s[(i + 2)..].IndexOf("*/");
                if (close < 0)
                {
                    return false;
                }

                i += 2 + close + 2;
            }
            else
            {
                return c == '(';
            }
        }

        return false;
    }

    private SqlToken ReadOperator()
    {
        char c = _s[_pos];
        char d = At(_pos + 1);
        if ((c == '<' && d == '=' && At(_pos + 2) == '>') || (c == '-' && d == '>' && At(_pos + 2) == '>'))
        {
            _pos += 3;
            return new(SqlKind.Operator);
        }

        if ((c == '|' && d == '|') || (c == '&' && d == '&'))
        {
            _pos += 2;
            return new(SqlKind.Logic);
        }

        if ((d == '=' && c is '<' or '>' or '!' or '=' or ':' or '+' or '-' or '*' or '/' or '%' or '^' or '|' or '&')
            || (c == '<' && d is '>' or '<') || (c == '>' && d == '>') || (c == ':' && d == ':') || (c == '!' && d is '<' or '>')
            || (c == '-' && d == '>'))
        {
            _pos += 2;
            return new(SqlKind.Operator);
        }

        _pos++;
        return c switch
        {
            '+' or '-' or '!' or '~' => new(SqlKind.Operator, SqlWord.UnaryCandidate),
            '*' => new(SqlKind.Operator, SqlWord.Star),
            '=' or '<' or '>' or '/' or '%' or '^' or '|' or '&' or ':' => new(SqlKind.Operator),
            _ => new(SqlKind.Unknown),
        };
    }

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    private static bool IsSpace(char c) => c <= ' ' || c == '\u00a0' || (c > '\u007f' && char.IsWhiteSpace(c));

    private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$' || (c > '\u007f' && char.IsLetter(c));

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '.' || (c > '\u007f' && char.IsLetterOrDigit(c));
}
