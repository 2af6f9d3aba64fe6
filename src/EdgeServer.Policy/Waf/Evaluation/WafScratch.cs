namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// The buffers one evaluation works in (the text a value is transformed in, the labels added, the cache of
/// transformed values), kept by the thread between evaluations. Renting four arrays from the shared pool and
/// returning them cost more than a dozen cheap rules; a thread-static set marked in use costs one flag each
/// way (no reference is written, so no GC write barrier). Connections hold none, and a thread holds one set
/// however many ACLs it runs. An evaluation that starts while another is in progress on the same thread
/// (there is none today) would simply get a set of its own.
/// </summary>
internal sealed class WafScratch
{
    /// <summary>Most labels one request collects; more are dropped (see <see cref="WafContext.AddLabel"/>).</summary>
    public const int MaxLabels = 64;

    [ThreadStatic] private static WafScratch? t_scratch;

    private bool _inUse;

    private WafScratch(int textChars) => Text = new char[textChars];

    public char[] Text { get; private set; }
    public int[] Labels { get; } = new int[MaxLabels];
    public int[] CacheEntries { get; } = new int[TransformedTextCache.EntriesLength];
    public char[] CacheChars { get; } = new char[TransformedTextCache.MaxChars];

    /// <param name="textChars">The longest text the ACL transforms: field values or its inspected body prefix.</param>
    public static WafScratch Take(int textChars)
    {
        var scratch = t_scratch;
        if (scratch is null || scratch._inUse)
        {
            scratch = new WafScratch(textChars);
            t_scratch ??= scratch;
        }
        else if (scratch.Text.Length < textChars)
        {
            scratch.Text = new char[textChars];
        }
        scratch._inUse = true;
        return scratch;
    }

    public static void Give(WafScratch scratch) => scratch._inUse = false;
}
