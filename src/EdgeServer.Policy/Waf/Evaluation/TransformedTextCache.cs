using System.Buffers;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// Transformed values already computed in one evaluation, so rules that apply the same transformation chain to
/// the same value reuse its text: rule sets group many rules on one field with one chain (ten bad-bot
/// User-Agent matches after LOWERCASE, a dozen path probes after URL_DECODE > NORMALIZE_PATH, SQLi and XSS on
/// the same decoded body). A value is identified by where its bytes are (the request head or the inspected body
/// prefix, and the offset and length there) and the chain by the slot the ACL gave it, so nothing is compared
/// or hashed. Buffers are rented on first use and returned when the evaluation ends.
/// </summary>
internal struct TransformedTextCache
{
    private const int MaxEntries = 32;
    private const int EntryInts = 6; // slot, source, offset, raw length, char offset, char length
    private const int MaxChars = 16 * 1024;

    private int[]? _entries;
    private char[]? _chars;
    private int _count;
    private int _used;

    public readonly bool TryGet(int slot, int source, int offset, int rawLength, out ReadOnlySpan<char> text)
    {
        var entries = _entries;
        for (var i = 0; i < _count; i++)
        {
            var e = i * EntryInts;
            if (entries![e] == slot && entries[e + 1] == source && entries[e + 2] == offset && entries[e + 3] == rawLength)
            {
                text = _chars.AsSpan(entries[e + 4], entries[e + 5]);
                return true;
            }
        }
        text = default;
        return false;
    }

    public void Store(int slot, int source, int offset, int rawLength, ReadOnlySpan<char> text)
    {
        if (_count == MaxEntries || _used + text.Length > MaxChars) return;
        _entries ??= ArrayPool<int>.Shared.Rent(MaxEntries * EntryInts);
        _chars ??= ArrayPool<char>.Shared.Rent(MaxChars);
        text.CopyTo(_chars.AsSpan(_used));
        var e = _count++ * EntryInts;
        _entries[e] = slot;
        _entries[e + 1] = source;
        _entries[e + 2] = offset;
        _entries[e + 3] = rawLength;
        _entries[e + 4] = _used;
        _entries[e + 5] = text.Length;
        _used += text.Length;
    }

    public void Release()
    {
        if (_entries is { } entries) ArrayPool<int>.Shared.Return(entries);
        if (_chars is { } chars) ArrayPool<char>.Shared.Return(chars);
        this = default;
    }
}
