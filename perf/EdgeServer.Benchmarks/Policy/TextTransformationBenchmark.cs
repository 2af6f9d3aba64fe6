using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// The WAF's usual transformation chain for a query string, URL_DECODE → HTML_ENTITY_DECODE → LOWERCASE →
/// COMPRESS_WHITE_SPACE, over 1 KiB of realistic mixed text (plain parameters, %XX and '+', entities, capitals,
/// runs of white space): the first step writes into a scratch buffer and the others work in place, as the
/// evaluator will. Each step alone, too, to see where the time goes.
/// </summary>
[MemoryDiagnoser]
public class TextTransformationBenchmark
{
    private const int Size = 1024;
    private readonly char[] _buffer = new char[Size];
    private string _query = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] parts =
        [
            "utm_source=Newsletter&utm_medium=Email&utm_campaign=Spring+Sale+2026",
            "&q=%3Cb%3EHello%20World%3C%2Fb%3E+%26amp%3B+Caf%C3%A9",
            "&redirect=https%3A%2F%2Fexample.com%2Fpath%3Fa%3D1%26b%3D2",
            "&comment=Nice++product,%09%09really%0D%0A%20great&lt;3",
            "&SESSION=AbCdEf0123456789&lang=en-US&page=12&sort=PRICE_DESC",
        ];
        var text = new StringBuilder(Size);
        for (int k = 0; text.Length < Size; k++)
        {
            text.Append(parts[k % parts.Length]);
        }

        _query = text.ToString(0, Size);
    }

    [Benchmark(Baseline = true, Description = "URL_DECODE > HTML_ENTITY_DECODE > LOWERCASE > COMPRESS_WHITE_SPACE, 1 KiB")]
    public int Chain()
    {
        Span<char> text = _buffer;
        int length = TextTransformations.Apply(TextTransformationType.UrlDecode, _query, text);
        length = TextTransformations.Apply(TextTransformationType.HtmlEntityDecode, text[..length], text);
        length = TextTransformations.Apply(TextTransformationType.Lowercase, text[..length], text);
        return TextTransformations.Apply(TextTransformationType.CompressWhiteSpace, text[..length], text);
    }

    [Benchmark(Description = "URL_DECODE, 1 KiB")]
    public int UrlDecode() => TextTransformations.Apply(TextTransformationType.UrlDecode, _query, _buffer);

    [Benchmark(Description = "HTML_ENTITY_DECODE, 1 KiB")]
    public int HtmlEntityDecode() => TextTransformations.Apply(TextTransformationType.HtmlEntityDecode, _query, _buffer);

    [Benchmark(Description = "LOWERCASE, 1 KiB")]
    public int Lowercase() => TextTransformations.Apply(TextTransformationType.Lowercase, _query, _buffer);

    [Benchmark(Description = "COMPRESS_WHITE_SPACE, 1 KiB")]
    public int CompressWhiteSpace() => TextTransformations.Apply(TextTransformationType.CompressWhiteSpace, _query, _buffer);
}
