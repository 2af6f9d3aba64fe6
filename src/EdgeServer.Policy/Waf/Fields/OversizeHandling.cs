namespace EdgeServer.Policy.Waf.Fields;

/// <summary>What a field does with a value longer than what is inspected (AWS WAF's OversizeHandling).</summary>
public enum OversizeHandling : byte
{
    /// <summary>Inspect the first part as if it were all.</summary>
    Continue,
    /// <summary>Treat the statement as matching: an attacker cannot hide past the limit.</summary>
    Match,
    NoMatch,
}
