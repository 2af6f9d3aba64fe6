namespace EdgeServer.Geo;

/// <summary>
/// Follows a <see cref="GeoPath"/> through a record without decoding it: map keys are compared as UTF-8 bytes in
/// place and values that are not on the path are skipped. Allocates nothing; the WAF's per-request country lookup.
/// </summary>
internal static class PathWalker
{
    /// <summary>
    /// Returns the header of the value at <paramref name="path"/> inside the value at <paramref name="offset"/>
    /// (pointers followed), or false when a key is absent, an index is out of range, or the shape differs.
    /// </summary>
    public static bool TryFollow(in DataSection section, int offset, GeoPath path, out DataHeader value)
    {
        var current = section.Resolve(offset, out _);
        foreach (var segment in path.Segments)
        {
            if (current.Type == MmdbType.Map)
            {
                if (TryFindKey(section, current, segment.Key, out current)) continue;
            }
            else if (current.Type == MmdbType.Array && segment.Index >= 0 && segment.Index < current.Size)
            {
                int o = current.Payload;
                for (int i = 0; i < segment.Index; i++) o = section.Skip(o, 0);
                current = section.Resolve(o, out _);
                continue;
            }
            value = default;
            return false;
        }
        value = current;
        return true;
    }

    private static bool TryFindKey(in DataSection section, DataHeader map, ReadOnlySpan<byte> key, out DataHeader value)
    {
        int o = map.Payload;
        for (int i = 0; i < map.Size; i++)
        {
            var k = section.Resolve(o, out int afterKey);
            if (k.Type != MmdbType.Utf8String) section.Fail(o, $"map key is a {DataSection.Name(k.Type)}, not a string");
            if (section.Slice(k.Payload, k.Size).SequenceEqual(key))
            {
                value = section.Resolve(afterKey, out _);
                return true;
            }
            o = section.Skip(afterKey, 0);
        }
        value = default;
        return false;
    }
}
