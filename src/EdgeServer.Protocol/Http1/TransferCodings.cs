namespace EdgeServer.Protocol.Http1;

/// <summary>
/// What the Transfer-Encoding fields of one message say, all fields read as one comma list
/// (RFC 9110 §5.3). Each field adds its elements; the parsers decide from the summary at the end of
/// the head, because only the combined list tells whether chunked is last.
/// </summary>
internal struct TransferCodings
{
    /// <summary>At least one Transfer-Encoding field was seen.</summary>
    public bool Present;
    /// <summary>An element is not a coding at all (not a token, junk after it): 400 / 502.</summary>
    public bool Malformed;
    /// <summary>An element is a coding other than chunked, or carries parameters: 501 for requests.</summary>
    public bool Other;
    /// <summary>An element is empty ("chunked," or an empty field): refused rather than ignored, as framing depends on it.</summary>
    public bool Empty;
    public int ChunkedCount;
    public bool LastIsChunked;

    public void Add(ReadOnlySpan<byte> value)
    {
        Present = true;
        while (true)
        {
            var comma = value.IndexOf((byte)',');
            AddElement(HttpChars.TrimWhitespace(comma < 0 ? value : value[..comma]));
            if (comma < 0) return;
            value = value[(comma + 1)..];
        }
    }

    private void AddElement(ReadOnlySpan<byte> element)
    {
        if (element.IsEmpty)
        {
            Empty = true; // does not change which coding is last: "chunked," is refused as empty, not as chunked-not-last
            return;
        }
        LastIsChunked = false;
        var end = element.IndexOfAnyExcept(HttpChars.Token);
        if (end < 0)
        {
            if (Ascii.EqualsIgnoreCase(element, "chunked"u8)) { ChunkedCount++; LastIsChunked = true; }
            else Other = true;
            return;
        }
        // token *( OWS ";" OWS transfer-parameter ): a coding with parameters we do not implement. Anything
        // else (inner space, quotes, junk) is not a transfer coding at all.
        var afterToken = element[end..].TrimStart(" \t"u8);
        if (end > 0 && !afterToken.IsEmpty && afterToken[0] == ';') Other = true;
        else Malformed = true;
    }
}
