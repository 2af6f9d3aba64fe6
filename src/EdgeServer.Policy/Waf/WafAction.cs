namespace EdgeServer.Policy.Waf;

public enum WafActionKind : byte
{
    Allow,
    Block,
    /// <summary>Counts and labels, then evaluation goes on: how a rule is dry-run before it enforces.</summary>
    Count,
}

/// <summary>What a Block answers: status, headers and body are pre-encoded once at compile time.</summary>
public sealed class BlockResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers, string contentType, byte[] body)
{
    /// <summary>AWS WAF's default block: 403 with no body of interest.</summary>
    public static BlockResponse Default { get; } = new(403, [], "application/json", "{\"status\":403,\"error\":\"blocked by the web ACL\"}"u8.ToArray());

    public int Status { get; } = status;
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = headers;
    public string ContentType { get; } = contentType;
    public byte[] Body { get; } = body;

    /// <summary>"Content-Type: ..\r\n" and the custom headers, encoded once so a block writes bytes only.</summary>
    public byte[] HeaderLines { get; } = System.Text.Encoding.Latin1.GetBytes(
        $"Content-Type: {contentType}\r\n" + string.Concat(headers.Select(h => $"{h.Key}: {h.Value}\r\n")));
}

public sealed record WafAction(WafActionKind Kind, BlockResponse? Response = null)
{
    public static WafAction Allow { get; } = new(WafActionKind.Allow);
    public static WafAction Block { get; } = new(WafActionKind.Block, BlockResponse.Default);
    public static WafAction Count { get; } = new(WafActionKind.Count);

    public string Label => Kind switch { WafActionKind.Allow => "allow", WafActionKind.Block => "block", _ => "count" };
}
