using System.Buffers;
using System.Collections.Frozen;

namespace EdgeServer.Policy.Injection;

/// <summary>What an input holds that some rule of <see cref="SqlRules"/> needs (see <see cref="SqlEvidence"/>).</summary>
[Flags]
internal enum SqlEvidenceKind
{
    None = 0,

    /// <summary>"/*" (comments can glue keywords: UN/**/ION, /*!union*/) or a non-ASCII char whose lower case is ASCII.</summary>
    Unscannable = 1 << 0,
    Semicolon = 1 << 1,
    LeftParen = 1 << 2,

    /// <summary>AND, OR, XOR or the operators || and &amp;&amp;.</summary>
    Logic = 1 << 3,
    Union = 1 << 4,
    Select = 1 << 5,

    /// <summary>Any statement word (SELECT, DROP, EXEC...).</summary>
    Statement = 1 << 6,
    OrderOrGroup = 1 << 7,
    By = 1 << 8,

    /// <summary>HAVING, LIMIT, OFFSET, PROCEDURE.</summary>
    OtherClause = 1 << 9,
    Waitfor = 1 << 10,
    Exec = 1 << 11,
    Into = 1 << 12,
    Outfile = 1 << 13,

    /// <summary>A run of letters a dangerous function's name ends with (sleep, cmdshell...).</summary>
    Dangerous = 1 << 14,
}

/// <summary>
/// A vectorised look over the input, before any tokenizing, for the evidence every rule needs: most benign text
/// (a name, a path, a JSON body of ordinary words) holds none of it, and then the contexts that cannot match are
/// not read. Each rule of <see cref="SqlRules"/> needs a token only certain words or characters make — a logical
/// operator, UNION with SELECT, ';' before a statement, a clause word, a dangerous name with its '(' — and a word
/// token is exactly a run of letters (a suffix of one when a number ends just before it: 0xaunion), lower-cased.
/// What would defeat that reading (a comment that glues two runs into a keyword, a non-ASCII letter that lower-cases
/// to an ASCII one, like U+212A KELVIN SIGN to 'k') makes the input <see cref="SqlEvidenceKind.Unscannable"/>, and
/// it is read in full. The look over-approximates (a keyword inside a string still counts), never the reverse;
/// InjectionDifferentialTests checks that against the detector before it on the corpus and generated inputs.
/// </summary>
internal static class SqlEvidence
{
    /// <summary>The longest run of letters that can be a keyword or a dangerous name's ending ("opendatasource").</summary>
    private const int MaxWordLength = 16;

    private static readonly SearchValues<char> Letters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// What the scan stops at: letters, the characters of evidence (';', '(', "||", "&amp;&amp;") or of unscannable
    /// input ("/*"), and every non-ASCII char whose invariant lower case is ASCII (the tokenizer lower-cases words so).
    /// </summary>
    private static readonly SearchValues<char> Interesting = SearchValues.Create(
        [.. "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz;(|&/",
            .. Enumerable.Range(0x80, char.MaxValue - 0x7F).Select(c => (char)c).Where(c => char.ToLowerInvariant(c) <= '\u007f')]);

    /// <summary>The lower-cased words that are evidence of something, with what they are evidence of.</summary>
    private static readonly FrozenDictionary<string, SqlEvidenceKind>.AlternateLookup<ReadOnlySpan<char>> Words =
        BuildWords().GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Per word length, the first (and last) letters of the evidence words: most words end their check here.</summary>
    private static readonly uint[] FirstLetters = LetterMasks(first: true), LastLetters = LetterMasks(first: false);

    /// <summary>
    /// Whether a context that skips the rules reading from anywhere in the stream (<see cref="SqlRules"/>' Anywhere)
    /// can still match: UNION SELECT, ';' and a statement, a dangerous call, WAITFOR, EXEC of a dangerous name,
    /// INTO OUTFILE.
    /// </summary>
    public static bool AnywhereCanMatch(SqlEvidenceKind e) =>
        Has(e, SqlEvidenceKind.Unscannable)
        || Has(e, SqlEvidenceKind.Union | SqlEvidenceKind.Select)
        || Has(e, SqlEvidenceKind.Semicolon | SqlEvidenceKind.Statement)
        || (Has(e, SqlEvidenceKind.Dangerous) && (e & (SqlEvidenceKind.LeftParen | SqlEvidenceKind.Exec)) != 0)
        || Has(e, SqlEvidenceKind.Waitfor)
        || Has(e, SqlEvidenceKind.Into | SqlEvidenceKind.Outfile);

    /// <summary>
    /// Whether the as-is context (no quote assumed) can match at all: the anchored rules then need a logical
    /// operator, UNION SELECT, ';' and a statement, '(' into SELECT or a dangerous call, ORDER/GROUP BY, HAVING,
    /// LIMIT, OFFSET, PROCEDURE or INTO OUTFILE; a statement right after the value counts only in a quoted context.
    /// </summary>
    public static bool AsIsCanMatch(SqlEvidenceKind e) =>
        AnywhereCanMatch(e)
        || Has(e, SqlEvidenceKind.Logic)
        || (Has(e, SqlEvidenceKind.LeftParen) && (e & (SqlEvidenceKind.Select | SqlEvidenceKind.Dangerous)) != 0)
        || Has(e, SqlEvidenceKind.OrderOrGroup | SqlEvidenceKind.By)
        || Has(e, SqlEvidenceKind.OtherClause);

    public static SqlEvidenceKind Scan(ReadOnlySpan<char> input)
    {
        Span<char> lower = stackalloc char[MaxWordLength];
        SqlEvidenceKind e = SqlEvidenceKind.None;
        int pos = 0;
        while (true)
        {
            int start = input[pos..].IndexOfAny(Interesting);
            if (start < 0)
            {
                return e;
            }

            start += pos;
            char c = input[start];
            if (!char.IsAsciiLetter(c))
            {
                pos = start + 1;
                char next = pos < input.Length ? input[pos] : '\0';
                switch (c)
                {
                    case ';':
                        e |= SqlEvidenceKind.Semicolon;
                        break;
                    case '(':
                        e |= SqlEvidenceKind.LeftParen;
                        break;
                    case '|' or '&' when next == c:
                        e |= SqlEvidenceKind.Logic;
                        break;
                    case '/' when next == '*':
                        return SqlEvidenceKind.Unscannable;
                    case > '\u007f':
                        return SqlEvidenceKind.Unscannable;
                }

                continue;
            }

            // Words are short: look for the run's end char by char, vectorised only past a keyword's length.
            int end = start + 1;
            while (end < input.Length && char.IsAsciiLetter(input[end]))
            {
                if (++end - start > MaxWordLength)
                {
                    int more = input[end..].IndexOfAnyExcept(Letters);
                    end = more < 0 ? input.Length : end + more;
                    break;
                }
            }

            // After a digit the run may begin inside a number (0xa, 0b, 1e): any suffix can be the word.
            bool afterDigit = start > 0 && char.IsAsciiDigit(input[start - 1]);
            int shortest = afterDigit ? 2 : end - start;
            for (int n = Math.Min(end - start, MaxWordLength); n >= shortest; n--)
            {
                e |= Lookup(input[(end - n)..end], lower);
            }

            // Once every rule can match, reading on cannot change what is run.
            if (AnywhereCanMatch(e))
            {
                return e;
            }

            pos = end;
        }
    }

    private static SqlEvidenceKind Lookup(ReadOnlySpan<char> letters, Span<char> scratch)
    {
        int n = letters.Length;
        if (n is < 2 or > MaxWordLength || (FirstLetters[n] & LetterBit(letters[0])) == 0 || (LastLetters[n] & LetterBit(letters[^1])) == 0)
        {
            return SqlEvidenceKind.None;
        }

        Span<char> lower = scratch[..n];
        for (int i = 0; i < n; i++)
        {
            lower[i] = (char)(letters[i] | 0x20);
        }

        return Words.TryGetValue(lower, out SqlEvidenceKind e) ? e : SqlEvidenceKind.None;
    }

    /// <summary>What a keyword token is evidence of, if anything.</summary>
    private static SqlEvidenceKind EvidenceOf(SqlToken t) => t.Kind switch
    {
        SqlKind.Logic => SqlEvidenceKind.Logic,
        SqlKind.Union => SqlEvidenceKind.Union,
        SqlKind.Statement => SqlEvidenceKind.Statement | t.Word switch
        {
            SqlWord.Select => SqlEvidenceKind.Select,
            SqlWord.Waitfor => SqlEvidenceKind.Waitfor,
            SqlWord.Exec => SqlEvidenceKind.Exec,
            _ => SqlEvidenceKind.None,
        },
        SqlKind.Clause => t.Word switch
        {
            SqlWord.Order or SqlWord.Group => SqlEvidenceKind.OrderOrGroup,
            SqlWord.Into => SqlEvidenceKind.Into,
            SqlWord.Where => SqlEvidenceKind.None,
            _ => SqlEvidenceKind.OtherClause,
        },
        SqlKind.Keyword => t.Word switch
        {
            SqlWord.By => SqlEvidenceKind.By,
            SqlWord.Outfile or SqlWord.Dumpfile => SqlEvidenceKind.Outfile,
            _ => SqlEvidenceKind.None,
        },
        _ => SqlEvidenceKind.None,
    };

    private static uint LetterBit(char letter) => 1u << ((letter | 0x20) - 'a');

    private static FrozenDictionary<string, SqlEvidenceKind> BuildWords()
    {
        var words = new Dictionary<string, SqlEvidenceKind>(StringComparer.Ordinal);
        foreach ((string word, SqlToken token) in SqlKeywords.Words)
        {
            if (EvidenceOf(token) != SqlEvidenceKind.None)
            {
                words[word] = EvidenceOf(token);
            }
        }

        foreach (string ending in SqlKeywords.DangerousNameEndings)
        {
            words[ending] = words.GetValueOrDefault(ending) | SqlEvidenceKind.Dangerous;
        }

        if (words.Keys.Any(word => word.Length is < 2 or > MaxWordLength || !word.All(char.IsAsciiLetterLower)))
        {
            throw new InvalidOperationException("an evidence word is not 2 to 16 lower-case letters");
        }

        return words.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static uint[] LetterMasks(bool first)
    {
        uint[] masks = new uint[MaxWordLength + 1];
        foreach (string word in Words.Dictionary.Keys)
        {
            masks[word.Length] |= LetterBit(first ? word[0] : word[^1]);
        }

        return masks;
    }

    private static bool Has(SqlEvidenceKind e, SqlEvidenceKind all) => (e & all) == all;
}
