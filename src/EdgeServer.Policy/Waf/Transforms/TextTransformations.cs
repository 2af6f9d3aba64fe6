using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// Entry point of the text transformations: names as AWS writes them, and <see cref="Apply"/>.
/// Every transformation reads its input once, left to right, allocates nothing and never lengthens
/// the text, so a caller can chain them over one buffer in place.
/// </summary>
public static class TextTransformations
{
    /// <summary>Parses a name as AWS writes it in rule files ("URL_DECODE", ...); false for unknown names.</summary>
    public static bool TryParse(string awsName, out TextTransformationType type)
    {
        TextTransformationType? parsed = awsName switch
        {
            "NONE" => TextTransformationType.None,
            "LOWERCASE" => TextTransformationType.Lowercase,
            "URL_DECODE" => TextTransformationType.UrlDecode,
            "URL_DECODE_UNI" => TextTransformationType.UrlDecodeUni,
            "HTML_ENTITY_DECODE" => TextTransformationType.HtmlEntityDecode,
            "COMPRESS_WHITE_SPACE" => TextTransformationType.CompressWhiteSpace,
            "NORMALIZE_PATH" => TextTransformationType.NormalizePath,
            "NORMALIZE_PATH_WIN" => TextTransformationType.NormalizePathWin,
            "REMOVE_NULLS" => TextTransformationType.RemoveNulls,
            "REPLACE_NULLS" => TextTransformationType.ReplaceNulls,
            "BASE64_DECODE" => TextTransformationType.Base64Decode,
            "BASE64_DECODE_EXT" => TextTransformationType.Base64DecodeExt,
            "HEX_DECODE" => TextTransformationType.HexDecode,
            "JS_DECODE" => TextTransformationType.JsDecode,
            "CSS_DECODE" => TextTransformationType.CssDecode,
            "CMD_LINE" => TextTransformationType.CmdLine,
            "ESCAPE_SEQ_DECODE" => TextTransformationType.EscapeSeqDecode,
            "REPLACE_COMMENTS" => TextTransformationType.ReplaceComments,
            "SQL_HEX_DECODE" => TextTransformationType.SqlHexDecode,
            _ => null,
        };
        type = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The name AWS uses for <paramref name="type"/> in rule files.</summary>
    public static string AwsName(TextTransformationType type) => type switch
    {
        TextTransformationType.None => "NONE",
        TextTransformationType.Lowercase => "LOWERCASE",
        TextTransformationType.UrlDecode => "URL_DECODE",
        TextTransformationType.UrlDecodeUni => "URL_DECODE_UNI",
        TextTransformationType.HtmlEntityDecode => "HTML_ENTITY_DECODE",
        TextTransformationType.CompressWhiteSpace => "COMPRESS_WHITE_SPACE",
        TextTransformationType.NormalizePath => "NORMALIZE_PATH",
        TextTransformationType.NormalizePathWin => "NORMALIZE_PATH_WIN",
        TextTransformationType.RemoveNulls => "REMOVE_NULLS",
        TextTransformationType.ReplaceNulls => "REPLACE_NULLS",
        TextTransformationType.Base64Decode => "BASE64_DECODE",
        TextTransformationType.Base64DecodeExt => "BASE64_DECODE_EXT",
        TextTransformationType.HexDecode => "HEX_DECODE",
        TextTransformationType.JsDecode => "JS_DECODE",
        TextTransformationType.CssDecode => "CSS_DECODE",
        TextTransformationType.CmdLine => "CMD_LINE",
        TextTransformationType.EscapeSeqDecode => "ESCAPE_SEQ_DECODE",
        TextTransformationType.ReplaceComments => "REPLACE_COMMENTS",
        TextTransformationType.SqlHexDecode => "SQL_HEX_DECODE",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a text transformation"),
    };

    /// <summary>
    /// Writes <paramref name="input"/> transformed into <paramref name="output"/> and returns its length.
    /// No transformation lengthens its input, so <c>output.Length &gt;= input.Length</c> is enough.
    /// <paramref name="output"/> may be the same memory as <paramref name="input"/> (or start before it):
    /// every transformation writes at or behind the position it reads.
    /// </summary>
    /// <exception cref="ArgumentException">output is shorter than input, or starts inside input after its first char.</exception>
    public static int Apply(TextTransformationType type, ReadOnlySpan<char> input, Span<char> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output must be at least as long as input", nameof(output));
        }

        // Writing ahead of the read position would overwrite text not yet read.
        if (input.Overlaps(output, out int offset) && offset > 0)
        {
            throw new ArgumentException("output may alias input only from its start", nameof(output));
        }

        return type switch
        {
            TextTransformationType.None => Copy(input, output),
            TextTransformationType.Lowercase => CharacterFilters.Lowercase(input, output),
            TextTransformationType.UrlDecode => UrlDecoder.Decode(input, output, percentU: false),
            TextTransformationType.UrlDecodeUni => UrlDecoder.Decode(input, output, percentU: true),
            TextTransformationType.HtmlEntityDecode => HtmlEntityDecoder.Decode(input, output),
            TextTransformationType.CompressWhiteSpace => CharacterFilters.CompressWhiteSpace(input, output),
            TextTransformationType.NormalizePath => PathNormalizer.Normalize(input, output),
            TextTransformationType.NormalizePathWin => PathNormalizer.NormalizeWindows(input, output),
            TextTransformationType.RemoveNulls => CharacterFilters.RemoveNulls(input, output),
            TextTransformationType.ReplaceNulls => CharacterFilters.ReplaceNulls(input, output),
            TextTransformationType.Base64Decode => Base64Decoder.Decode(input, output, skipInvalid: false),
            TextTransformationType.Base64DecodeExt => Base64Decoder.Decode(input, output, skipInvalid: true),
            TextTransformationType.HexDecode => HexDecoder.Decode(input, output),
            TextTransformationType.JsDecode => JsDecoder.Decode(input, output),
            TextTransformationType.CssDecode => CssDecoder.Decode(input, output),
            TextTransformationType.CmdLine => CommandLine.Normalize(input, output),
            TextTransformationType.EscapeSeqDecode => EscapeSequenceDecoder.Decode(input, output),
            TextTransformationType.ReplaceComments => CommentReplacer.Replace(input, output),
            TextTransformationType.SqlHexDecode => HexDecoder.DecodeSql(input, output),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a text transformation"),
        };
    }

    /// <summary>Copies the first <paramref name="count"/> chars unless output is input (in-place use), where they are already there.</summary>
    internal static void CopyPrefix(ReadOnlySpan<char> input, Span<char> output, int count)
    {
        if (count > 0 && !SameStart(input, output))
        {
            input[..count].CopyTo(output);
        }
    }

    internal static bool SameStart(ReadOnlySpan<char> input, Span<char> output) =>
        Unsafe.AreSame(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference((ReadOnlySpan<char>)output));

    private static int Copy(ReadOnlySpan<char> input, Span<char> output)
    {
        input.CopyTo(output);
        return input.Length;
    }
}
