using EdgeServer.Protocol.Http1;

namespace EdgeServer.Forwarding;

/// <summary>
/// Marks the fields a proxy must not forward (RFC 9110 §7.6.1): the fixed hop-by-hop set plus every
/// field the Connection header names. Works in place on the parsed fields; nothing is copied.
/// </summary>
internal static class HopByHopHeaders
{
    public static void Mark(byte[] buffer, Span<HeaderField> fields)
    {
        var connectionSeen = false;
        for (var i = 0; i < fields.Length; i++)
        {
            ref var f = ref fields[i];
            switch (f.Known)
            {
                case KnownHeader.Connection:
                    connectionSeen = true;
                    f.Drop = true;
                    break;
                case KnownHeader.KeepAlive:
                case KnownHeader.ProxyConnection:
                case KnownHeader.TE:
                case KnownHeader.Trailer:
                case KnownHeader.Upgrade:
                    f.Drop = true;
                    break;
            }
        }
        if (!connectionSeen) return;

        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].Known != KnownHeader.Connection) continue;
            var list = buffer.AsSpan(fields[i].ValueStart, fields[i].ValueLength);
            while (!list.IsEmpty)
            {
                var comma = list.IndexOf((byte)',');
                var token = (comma < 0 ? list : list[..comma]).Trim(" \t"u8);
                list = comma < 0 ? default : list[(comma + 1)..];
                if (token.IsEmpty) continue;
                for (var j = 0; j < fields.Length; j++)
                {
                    ref var g = ref fields[j];
                    // Framing fields are never dropped on a client's say-so: that would desynchronise the body.
                    if (g.Known is KnownHeader.ContentLength or KnownHeader.TransferEncoding or KnownHeader.Host) continue;
                    if (Ascii.EqualsIgnoreCase(buffer.AsSpan(g.NameStart, g.NameLength), token)) g.Drop = true;
                }
            }
        }
    }
}
