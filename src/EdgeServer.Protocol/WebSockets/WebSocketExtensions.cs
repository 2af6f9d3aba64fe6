using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Reads a Sec-WebSocket-Extensions value (RFC 6455 §9.1) far enough to know which extensions it names:
/// the relay lets permessage-deflate through (its RSV1 rule is all the inspector needs) and nothing else.
/// </summary>
/// <remarks>
/// extension-list = 1#( extension-token *( ";" extension-param ) ); extension-param = token [ "=" ( token /
/// quoted-string ) ]. Parameters are skipped: window sizes and context takeover do not change framing.
/// </remarks>
public static class WebSocketExtensions
{
    public static ReadOnlySpan<byte> PerMessageDeflate => "permessage-deflate"u8;

    /// <summary>Counts the extensions of one field value; false when it is not a well-formed extension list.</summary>
    public static bool TryCount(ReadOnlySpan<byte> value, out int perMessageDeflate, out int others)
    {
        perMessageDeflate = 0;
        others = 0;
        var i = 0;
        while (true)
        {
            SkipWhitespace(value, ref i);
            var name = ReadToken(value, ref i);
            if (name.IsEmpty) return false;
            if (Ascii.EqualsIgnoreCase(name, PerMessageDeflate)) perMessageDeflate++;
            else others++;

            SkipWhitespace(value, ref i);
            while (i < value.Length && value[i] == (byte)';')
            {
                i++;
                SkipWhitespace(value, ref i);
                if (ReadToken(value, ref i).IsEmpty) return false;
                SkipWhitespace(value, ref i);
                if (i < value.Length && value[i] == (byte)'=')
                {
                    i++;
                    SkipWhitespace(value, ref i);
                    if (!SkipParameterValue(value, ref i)) return false;
                    SkipWhitespace(value, ref i);
                }
            }
            if (i == value.Length) return true;
            if (value[i] != (byte)',') return false;
            i++;
        }
    }

    private static ReadOnlySpan<byte> ReadToken(ReadOnlySpan<byte> value, ref int i)
    {
        var length = value[i..].IndexOfAnyExcept(HttpChars.Token);
        if (length < 0) length = value.Length - i;
        var token = value.Slice(i, length);
        i += length;
        return token;
    }

    private static bool SkipParameterValue(ReadOnlySpan<byte> value, ref int i)
    {
        if (i < value.Length && value[i] == (byte)'"')
        {
            for (i++; i < value.Length; i++)
            {
                if (value[i] == (byte)'\\') i++;
                else if (value[i] == (byte)'"') { i++; return true; }
            }
            return false;
        }
        return !ReadToken(value, ref i).IsEmpty;
    }

    private static void SkipWhitespace(ReadOnlySpan<byte> value, ref int i)
    {
        while (i < value.Length && HttpChars.IsWhitespace(value[i])) i++;
    }
}
