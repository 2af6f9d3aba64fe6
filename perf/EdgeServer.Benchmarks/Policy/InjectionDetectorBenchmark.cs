using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.Injection;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// What SqliMatch and XssMatch cost per inspected field, and proof that they allocate nothing: each detector on the
/// inputs of <see cref="InjectionInputs"/> — 8 KiB bodies (the most either reads: one letter repeated, an ordinary
/// JSON payload, a JSON body full of quotes, SQL words and HTML, form data), a 157-char query string that holds
/// both quotes and '&lt;', a 30-char value, "/", and an attack for each detector.
/// </summary>
[MemoryDiagnoser]
public class InjectionDetectorBenchmark
{
    private string _text = "";

    public static IEnumerable<string> Inputs => InjectionInputs.ByName.Keys;

    [ParamsSource(nameof(Inputs))]
    public string Input { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _text = InjectionInputs.ByName[Input];

        // Measure the paths meant: clean inputs read to the end, attacks found.
        bool sql = SqlInjectionDetector.IsSqlInjection(_text), xss = XssDetector.IsXss(_text);
        bool intended = Input switch
        {
            "sqlattack" => sql,
            "xssattack" => xss,
            _ => !sql && !xss,
        };
        if (!intended)
        {
            throw new InvalidOperationException($"benchmark input {Input} is not classified as intended");
        }
    }

    [Benchmark(Description = "SQLi")]
    public bool Sql() => SqlInjectionDetector.IsSqlInjection(_text);

    [Benchmark(Description = "XSS")]
    public bool Xss() => XssDetector.IsXss(_text);
}
