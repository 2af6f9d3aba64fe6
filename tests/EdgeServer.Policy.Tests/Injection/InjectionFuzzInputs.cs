using System.Text;

namespace EdgeServer.Policy.Tests.Injection;

/// <summary>
/// Inputs for the differential tests: the corpus, the corpus mutated, random concatenations of the pieces both
/// tokenizers branch on (quotes, comments, operators, keywords, tags, entities, the non-ASCII letters whose lower
/// case is ASCII), every char before and inside a keyword, and long inputs across the 8 KiB cap. Seeded, so a
/// failure reproduces.
/// </summary>
internal static class InjectionFuzzInputs
{
    private static readonly string[] Pieces =
    [
        " ", "  ", "\t", "\n", "\u00a0", "'", "\"", "`", "\\", "/*", "*/", "/*!50000", "--", "#", ";", ",", "(", ")", "=", "<",
        ">", "!", "|", "||", "&", "&&", "@", "@@", ":", "::", "-", "+", "*", "/", "%", ".", "$", "_", "0x", "0b", "1", "42",
        "1e5", ".5", "a", "x", "n", "e", "b", "z", "union", "UNION", "select", "SeLeCt", "all", "from", "where", "or", "OR",
        "and", "xor", "not", "order", "by", "group", "having", "limit", "into", "outfile", "procedure", "insert", "update",
        "set", "delete", "drop", "table", "exec", "execute", "waitfor", "delay", "sleep", "benchmark", "pg_sleep",
        "dbms_lock.sleep", "master..xp_cmdshell", "xp_cmdshell", "load_file", "char", "concat", "version", "null", "true",
        "like", "in", "is", "users", "name", "file", "<script>", "<script", "</script>", "<img", "<a", "<b>", "<svg", "<!--",
        "-->", "<!", "<?", "<![CDATA[", "src", "href", "onerror", "onload", "onx", "style", "srcdoc", "javascript:",
        "java&#x09;script:", "&#106;", "&colon;", "&#58;", "&", "data:", "text/html", "image/svg", "expression(", "alert(1)",
        "alert`1`", "\u0130", "\u212a", "\u00e9", "\u4e2d", "\u0661", "\u2028", "\ud83d\ude00", "O'Brien", "it's", "5'10\"",
        "hello", "world", "price", "2026", "kids <3", "a=b", "x'='x", "' or '1'='1", "1 or 1=1", "\" onmouseover=\"",
    ];

    public static IEnumerable<string> All(IReadOnlyList<string> corpus)
    {
        var random = new Random(20261204);
        foreach (string input in corpus)
        {
            yield return input;
            yield return input.ToUpperInvariant();
            yield return "hello " + input;
            yield return input + " 1";
            yield return "x" + input;
            yield return input.Replace(' ', '\t');
        }

        for (int i = 0; i < 20_000; i++)
        {
            string input = corpus[random.Next(corpus.Count)];
            yield return Mutate(input, corpus, random);
        }

        for (int i = 0; i < 60_000; i++)
        {
            yield return Concatenation(random, random.Next(1, 14));
        }

        // Every char next to and inside a keyword-bearing attack, and alone.
        for (int c = 0; c <= char.MaxValue; c++)
        {
            char ch = (char)c;
            yield return ch.ToString();
            yield return $"1 {ch}union select 1,2";
            yield return $"1 or{ch}1=1--";
            yield return $"x' {ch}nto outfile '/tmp/x";
            yield return $"<{ch}cript>";
            yield return $"<a href={ch}avascript:alert(1)>";
        }

        for (int i = 0; i < 300; i++)
        {
            var long_ = new StringBuilder();
            int target = random.Next(7_000, 9_500);
            while (long_.Length < target)
            {
                long_.Append(random.Next(3) == 0 ? corpus[random.Next(corpus.Count)] : Concatenation(random, random.Next(1, 6)));
                long_.Append(random.Next(4) == 0 ? "\n" : " ");
            }

            yield return long_.ToString();
        }
    }

    private static string Concatenation(Random random, int pieces)
    {
        var text = new StringBuilder();
        for (int k = 0; k < pieces; k++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    private static string Mutate(string input, IReadOnlyList<string> corpus, Random random)
    {
        var text = new StringBuilder(input);
        for (int edits = random.Next(1, 4); edits > 0; edits--)
        {
            int at = random.Next(text.Length + 1);
            switch (random.Next(4))
            {
                case 0:
                    text.Insert(at, Pieces[random.Next(Pieces.Length)]);
                    break;
                case 1 when at < text.Length:
                    text.Remove(at, Math.Min(random.Next(1, 4), text.Length - at));
                    break;
                case 2 when at < text.Length:
                    text[at] = (char)random.Next(32, 127);
                    break;
                default:
                    string other = corpus[random.Next(corpus.Count)];
                    text.Insert(at, other[random.Next(other.Length)..]);
                    break;
            }
        }

        return text.ToString();
    }
}
