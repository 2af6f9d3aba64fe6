namespace EdgeServer.Protocol.Http1;

/// <summary>
/// One header field as offsets into its head's buffer: heads are reused per connection, so fields
/// are plain structs in a reused array and never strings.
/// </summary>
public struct HeaderField
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;   // first byte after optional leading whitespace
    public int ValueLength;  // trailing whitespace excluded
    public KnownHeader Known;
    /// <summary>Set by the proxy when the field must not be forwarded (hop-by-hop, or named by Connection).</summary>
    public bool Drop;
}
