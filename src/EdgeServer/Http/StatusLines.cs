namespace EdgeServer.Http;

/// <summary>Reason phrases for the status codes the edge itself produces or commonly relays.</summary>
internal static class StatusLines
{
    public static ReadOnlySpan<byte> Reason(int status) => status switch
    {
        100 => "Continue"u8,
        101 => "Switching Protocols"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        202 => "Accepted"u8,
        204 => "No Content"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        304 => "Not Modified"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        417 => "Expectation Failed"u8,
        426 => "Upgrade Required"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Gateway Timeout"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => "Unknown"u8,
    };

    /// <summary>"HTTP/1.1 NNN Reason\r\n".</summary>
    public static void Write(ref HeadWriter writer, int status)
    {
        writer.Write("HTTP/1.1 "u8);
        writer.WriteNumber(status);
        writer.Write((byte)' ');
        writer.Write(Reason(status));
        writer.WriteCrLf();
    }
}
