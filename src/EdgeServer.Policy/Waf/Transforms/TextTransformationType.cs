namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>AWS WAF's text transformations, applied to a field before a statement inspects it.</summary>
public enum TextTransformationType
{
    None,
    Lowercase,
    UrlDecode,
    UrlDecodeUni,
    HtmlEntityDecode,
    CompressWhiteSpace,
    NormalizePath,
    NormalizePathWin,
    RemoveNulls,
    ReplaceNulls,
    Base64Decode,
    Base64DecodeExt,
    HexDecode,
    JsDecode,
    CssDecode,
    CmdLine,
    EscapeSeqDecode,
    ReplaceComments,
    SqlHexDecode,
}
