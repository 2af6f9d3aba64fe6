namespace EdgeServer.Policy.Injection;

/// <summary>
/// SQL injection detection in the manner of libinjection: tokenize, fold, decide; no regular expressions.
/// The input is read in three contexts, because the detector cannot know where the application puts it: as-is
/// (a numeric parameter or a whole clause), and as the rest of a literal opened by a single or a double quote
/// (<c>' or '1'='1</c> only reads as code once the quote before it is assumed). The double-quote context is read as
/// MySQL, the dialect whose strings take double quotes, as libinjection does. Allocation-free and linear;
/// only the first <see cref="InjectionLimits.MaxInputChars"/> characters are read.
/// </summary>
public static class SqlInjectionDetector
{
    /// <summary>The longest fingerprint reported: one character per folded token, 'c' for a folded comment.</summary>
    public const int FingerprintCapacity = 8;

    public static bool IsSqlInjection(ReadOnlySpan<char> input) => IsSqlInjection(input, [], out _);

    /// <summary>
    /// As <see cref="IsSqlInjection(ReadOnlySpan{char})"/>, also writing the fingerprint of the context that matched
    /// (or of the as-is reading when none did) into <paramref name="fingerprint"/>, for logs: e.g. <c>s&amp;sos</c>
    /// for <c>' or 'a'='a</c>. At most <see cref="FingerprintCapacity"/> characters are written.
    /// </summary>
    public static bool IsSqlInjection(ReadOnlySpan<char> input, Span<char> fingerprint, out int fingerprintLength)
    {
        input = InjectionLimits.Cap(input);

        // Most inputs hold none of the words and characters the rules need; then the as-is reading is skipped
        // (only its fingerprint is read, when asked for), and no context scans past its anchored start.
        SqlEvidenceKind evidence = SqlEvidence.Scan(input);
        bool anywhere = SqlEvidence.AnywhereCanMatch(evidence);
        SqlRulesScope asIs = !SqlEvidence.AsIsCanMatch(evidence) ? SqlRulesScope.None
            : anywhere ? SqlRulesScope.All : SqlRulesScope.Anchored;
        Span<char> scratch = stackalloc char[FingerprintCapacity];
        int length = 0;
        bool found = (asIs != SqlRulesScope.None || !fingerprint.IsEmpty)
            && Check(input, '\0', asIs, scratch, out length);
        Copy(scratch[..length], fingerprint, out fingerprintLength);
        if (found)
        {
            return true;
        }

        SqlRulesScope quoted = anywhere ? SqlRulesScope.All : SqlRulesScope.Anchored;
        foreach (char quote in "'\"")
        {
            if (input.Contains(quote) && Check(input, quote, quoted, scratch, out length))
            {
                Copy(scratch[..length], fingerprint, out fingerprintLength);
                return true;
            }
        }

        return false;
    }

    private static bool Check(ReadOnlySpan<char> input, char openQuote, SqlRulesScope scope, Span<char> fingerprint, out int fingerprintLength)
    {
        Span<char> word = stackalloc char[SqlTokenizer.WordCapacity];
        Span<SqlToken> ring = stackalloc SqlToken[SqlTokenWindow.Capacity];
        var window = new SqlTokenWindow(new SqlTokenizer(input, openQuote, word), ring, fingerprint);
        bool found = scope != SqlRulesScope.None && SqlRules.IsInjection(ref window, openQuote, scope == SqlRulesScope.All);

        // Fill the fingerprint's remaining places so it reads the same whether or not a rule decided early.
        for (int k = 0; k < SqlTokenWindow.Capacity && window.Fingerprint.Length < FingerprintCapacity && window[k].Kind != SqlKind.End; k++)
        {
        }

        fingerprintLength = window.Fingerprint.Length;
        return found;
    }

    private static void Copy(ReadOnlySpan<char> source, Span<char> destination, out int written)
    {
        written = Math.Min(source.Length, destination.Length);
        source[..written].CopyTo(destination);
    }
}

/// <summary>Which rules a context is read with: none (its fingerprint only), the anchored ones, or all.</summary>
internal enum SqlRulesScope : byte
{
    None,
    Anchored,
    All,
}
