namespace EdgeServer.Geo;

/// <summary>The data section's type numbers (MaxMind DB spec 2.0, "Output Data Section").</summary>
internal enum MmdbType : byte
{
    Extended = 0,
    Pointer = 1,
    Utf8String = 2,
    Double = 3,
    Bytes = 4,
    Uint16 = 5,
    Uint32 = 6,
    Map = 7,
    Int32 = 8,
    Uint64 = 9,
    Uint128 = 10,
    Array = 11,
    DataCacheContainer = 12,
    EndMarker = 13,
    Boolean = 14,
    Float = 15,
}
