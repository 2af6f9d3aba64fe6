namespace EdgeServer.Policy.IpSets;

/// <summary>Why a CIDR did not parse, and at which character (0-based offset into the text given to the parser).</summary>
/// <remarks>An offset rather than a line and column, so each caller (set files, WAF rule files) maps it to its own position.</remarks>
public readonly record struct IpPrefixError(int Offset, string Message);
