using System.Collections;

namespace EdgeServer.Geo.Tests;

/// <summary>Deep equality of decoded records (maps, lists, byte arrays, scalars).</summary>
internal sealed class RecordComparer : IEqualityComparer<object?>
{
    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v)),
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => Equals(p.First, p.Second)),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        _ => object.Equals(x, y),
    };

    public int GetHashCode(object? obj) => obj is null or IEnumerable ? 0 : obj.GetHashCode();
}
