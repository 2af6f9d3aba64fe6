using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// The whole WAF decision for one request against perf/waf/realistic-50.yaml, a 50-rule ACL in the shape of a
/// managed core rule set (IP reputation set of 5,500 prefixes, geo embargo on the real 1.3M-node country
/// database, size limits, bad bots, sensitive paths, traversal, log4j/shellshock/RCE regexes, SQLi and XSS on
/// query, body, cookies and path). Ordinary requests match nothing, so every rule runs: the worst case for
/// cost, and the common case in production. Must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class WebAclBenchmark
{
    private WebAclInputs _inputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inputs = new WebAclInputs();
        if (Evaluate(_inputs.Get).Action != WafActionKind.Allow || Evaluate(_inputs.Post).Action != WafActionKind.Allow ||
            Evaluate(_inputs.Wrk).Action != WafActionKind.Allow)
            throw new InvalidOperationException("the benchmark requests must pass every rule (so that every rule runs)");
    }

    [GlobalCleanup]
    public void Cleanup() => _inputs.Dispose();

    [Benchmark(Baseline = true, Description = "browser GET, 9 headers, cookies, query: 50 rules")]
    public WafActionKind Get() => Evaluate(_inputs.Get).Action;

    [Benchmark(Description = "API POST with a 1 KiB JSON body: 50 rules")]
    public WafActionKind Post() => Evaluate(_inputs.Post).Action;

    [Benchmark(Description = "wrk's GET /plain (Host only, as perf/compare.sh sends): 50 rules")]
    public WafActionKind Wrk() => Evaluate(_inputs.Wrk).Action;

    private WafVerdict Evaluate(RequestHead head) =>
        _inputs.Acl.Evaluate(new WafRequest(head, _inputs.Client, null, head == _inputs.Post ? _inputs.PostBody : default), _inputs.Geo, DateTimeOffset.UtcNow);
}
