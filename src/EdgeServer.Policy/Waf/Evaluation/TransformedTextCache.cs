namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// Transformed values already computed in one evaluation, so rules that apply the same transformation chain to
/// the same value reuse its text: rule sets group many rules on one field with one chain (ten bad-bot
/// User-Agent matches after LOWERCASE, a dozen path probes after URL_DECODE > NORMALIZE_PATH, SQLi and XSS on
/// the same decoded body). A value is identified by where its bytes are (the request head or the inspected body
/// prefix, and the offset and length there) and the chain by the slot the ACL gave it, so nothing is compared
/// or hashed. The arrays are the evaluation's scratch (see <see cref="WafScratch"/>); a new cache is empty.
/// </summary>
internal struct TransformedTextCache(int[] entries, char[] chars)
{
    private const int MaxEntries = 32;
    private const int EntryInts = 6; // slot, source, offset, raw length, char offset, char length
    public const int EntriesLength = MaxEntries * EntryInts;
    public const int MaxChars = 16 * 1024;

    private int _count;
    private int _used;

    public readonly bool TryGet(int slot, int source, int offset, int rawLength, out ReadOnlySpan<char> text)
    {
        for (var i = 0; i < _count; i++)
        {
            var e = i * EntryInts;
            if (entries[e] == slot && entries[e + 1] == source && entries[e + 2] == offset && entries[e + 3] == rawLength)
            {
                text = chars.AsSpan(entries[e + 4], entries[e + 5]);
                return true;
            }
        }
        text = default;
        return false;
    }

    public void Store(int slot, int source, int offset, int rawLength, ReadOnlySpan<char> text)
    {
        if (_count == MaxEntries || _used + text.Length > MaxChars) return;
        text.CopyTo(chars.AsSpan(_used));
        var e = _count++ * EntryInts;
        entries[e] = slot;
        entries[e + 1] = source;
        entries[e + 2] = offset;
        entries[e + 3] = rawLength;
        entries[e + 4] = _used;
        entries[e + 5] = text.Length;
        _used += text.Length;
    }
}
