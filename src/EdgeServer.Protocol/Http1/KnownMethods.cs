using System.Buffers.Binary;

namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Maps a method token to <see cref="KnownMethod"/>. Methods are case-sensitive (RFC 9110 §9.1), so
/// "get" is a custom method. Compared as little-endian integers: one length switch and one compare.
/// </summary>
internal static class KnownMethods
{
    private const uint Get = 'G' | 'E' << 8 | 'T' << 16;
    private const uint Put = 'P' | 'U' << 8 | 'T' << 16;
    private const uint Head = 'H' | 'E' << 8 | 'A' << 16 | (uint)'D' << 24;
    private const uint Post = 'P' | 'O' << 8 | 'S' << 16 | (uint)'T' << 24;
    private const ulong Patch = 'P' | 'A' << 8 | 'T' << 16 | (ulong)'C' << 24 | (ulong)'H' << 32;
    private const ulong Trace = 'T' | 'R' << 8 | 'A' << 16 | (ulong)'C' << 24 | (ulong)'E' << 32;
    private const ulong Delete = 'D' | 'E' << 8 | 'L' << 16 | (ulong)'E' << 24 | (ulong)'T' << 32 | (ulong)'E' << 40;
    private const ulong Options = 'O' | 'P' << 8 | 'T' << 16 | (ulong)'I' << 24 | (ulong)'O' << 32 | (ulong)'N' << 40 | (ulong)'S' << 48;
    private const ulong Connect = 'C' | 'O' << 8 | 'N' << 16 | (ulong)'N' << 24 | (ulong)'E' << 32 | (ulong)'C' << 40 | (ulong)'T' << 48;

    public static KnownMethod Identify(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 => Read(method) switch { Get => KnownMethod.Get, Put => KnownMethod.Put, _ => KnownMethod.Custom },
        4 => Read(method) switch { Head => KnownMethod.Head, Post => KnownMethod.Post, _ => KnownMethod.Custom },
        5 => Read(method) switch { Patch => KnownMethod.Patch, Trace => KnownMethod.Trace, _ => KnownMethod.Custom },
        6 => Read(method) == Delete ? KnownMethod.Delete : KnownMethod.Custom,
        7 => Read(method) switch { Options => KnownMethod.Options, Connect => KnownMethod.Connect, _ => KnownMethod.Custom },
        _ => KnownMethod.Custom,
    };

    // Packs up to 8 bytes little-endian; lengths are known to be 3..7 here.
    private static ulong Read(ReadOnlySpan<byte> s)
    {
        if (s.Length >= 4)
        {
            ulong low = BinaryPrimitives.ReadUInt32LittleEndian(s);
            ulong high = 0;
            for (var i = s.Length - 1; i >= 4; i--) high = high << 8 | s[i];
            return low | high << 32;
        }
        return (ulong)(s[0] | s[1] << 8 | s[2] << 16);
    }
}
