using System.Numerics;
using System.Runtime.CompilerServices;

namespace EdgeServer.Policy.IpSets;

/// <summary>One inclusive interval of addresses.</summary>
internal readonly record struct KeyRange<TKey>(TKey First, TKey Last);

/// <summary>
/// Membership in a union of address intervals: sorted, disjoint, non-adjacent ranges searched by bisection, with a
/// bucket index on the leading bits that narrows each search to a few neighbouring ranges.
/// </summary>
/// <remarks>
/// For membership, longest-prefix match collapses to "is the address in the union of all prefixes", and a million
/// prefixes merge into at most a million intervals: 8 bytes each for IPv4, 32 for IPv6, far below a trie's nodes.
/// Bisecting a million ranges costs ~20 dependent cache misses; the bucket index (one int per bucket, about one
/// bucket per range, at most 2^16) turns that into one index read plus a few probes within a cache line or two.
/// The index covers only the bits below those shared by the whole table (IPv6 space in use sits under 2000::/3), so
/// its buckets are not wasted on empty address space. Generic over uint and UInt128: the JIT specialises each.
/// </remarks>
internal sealed class RangeTable<TKey> where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>, IMinMaxValue<TKey>
{
    private const int MaxIndexBits = 16;

    private readonly KeyRange<TKey>[] _ranges;
    private readonly int[] _bucketStart;   // _bucketStart[b]: first range whose First falls in bucket b or later
    private readonly int _shift;
    private readonly TKey _bucketMask;
    private readonly TKey _min, _max;

    private RangeTable(KeyRange<TKey>[] ranges)
    {
        _ranges = ranges;
        if (ranges.Length == 0)
        {
            _bucketStart = [0, 0];
            _min = TKey.MaxValue;   // empty: every key fails the bounds check
            _max = TKey.Zero;
            return;
        }
        _min = ranges[0].First;
        _max = ranges[^1].Last;

        int keyBits = Unsafe.SizeOf<TKey>() * 8;
        int sharedBits = int.CreateTruncating(TKey.LeadingZeroCount(_min ^ _max));
        int indexBits = Math.Min(Math.Min(MaxIndexBits, BitOperations.Log2((uint)ranges.Length) + 1), keyBits - sharedBits);
        _shift = keyBits - sharedBits - indexBits;
        _bucketMask = (TKey.One << indexBits) - TKey.One;

        _bucketStart = new int[(1 << indexBits) + 1];
        int r = 0;
        for (int b = 0; b < _bucketStart.Length - 1; b++)
        {
            while (r < ranges.Length && Bucket(ranges[r].First) < b)
                r++;
            _bucketStart[b] = r;
        }
        _bucketStart[^1] = ranges.Length;
    }

    public static RangeTable<TKey> Empty { get; } = new([]);

    /// <summary>Intervals after merging overlapping and adjacent ones.</summary>
    public int Count => _ranges.Length;

    /// <summary>Bytes held by the arrays (ranges and index), without object headers.</summary>
    public long ArrayBytes => ((long)_ranges.Length * Unsafe.SizeOf<KeyRange<TKey>>()) + ((long)_bucketStart.Length * sizeof(int));

    internal ReadOnlySpan<KeyRange<TKey>> Ranges => _ranges;

    /// <summary>Sorts the intervals in place (the arrays are the caller's scratch) and merges them.</summary>
    public static RangeTable<TKey> Build(TKey[] firsts, TKey[] lasts)
    {
        if (firsts.Length == 0)
            return Empty;
        Array.Sort(firsts, lasts);
        var merged = new List<KeyRange<TKey>>(firsts.Length);
        TKey first = firsts[0], last = lasts[0];
        for (int i = 1; i < firsts.Length; i++)
        {
            // Adjacent blocks merge too (10.0.0.0/25 + 10.0.0.128/25), so the table stays as small as the union allows.
            if (firsts[i] <= last || (last != TKey.MaxValue && firsts[i] == last + TKey.One))
            {
                if (lasts[i] > last)
                    last = lasts[i];
                continue;
            }
            merged.Add(new KeyRange<TKey>(first, last));
            first = firsts[i];
            last = lasts[i];
        }
        merged.Add(new KeyRange<TKey>(first, last));
        return new RangeTable<TKey>(merged.ToArray());
    }

    public bool Contains(TKey key)
    {
        if (key < _min || key > _max)
            return false;
        var ranges = _ranges;
        int bucket = Bucket(key);
        int lo = _bucketStart[bucket], hi = _bucketStart[bucket + 1] - 1;

        // The covering range, if any, is the last one starting at or before key: either in this bucket or, when none
        // here starts early enough, the last range of an earlier bucket (lo - 1). key >= _min makes that index valid.
        int found = lo - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (ranges[mid].First <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return key <= ranges[found].Last;
    }

    // Within [_min, _max] the top sharedBits are constant, so this is monotonic in key.
    private int Bucket(TKey key) => int.CreateTruncating((key >> _shift) & _bucketMask);
}
