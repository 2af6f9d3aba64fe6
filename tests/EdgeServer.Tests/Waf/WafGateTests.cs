using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Observability;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Waf;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// The gate the proxy runs request ACLs through: decisions counted per ACL across reloads (the counters are
/// found through the slot, and found again when a reload swaps its ACL), and the clock read only for ACLs
/// whose rules can expire, so expiry still applies where it is set.
/// </summary>
public sealed class WafGateTests(WafTestFiles files) : IClassFixture<WafTestFiles>, IDisposable
{
    private const string BlockAdmin = """
          - Name: admin
            Priority: 1
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: /admin, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
        """;

    private readonly WafEngine _engine = new(NullLogger.Instance);

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void Decisions_are_counted_per_acl_and_keep_counting_after_a_reload_swaps_the_acl()
    {
        var gate = new WafGate(_engine, NullLogger.Instance);
        var slot = new WafAclSlot("rules.yaml", files.CompileAcl(BlockAdmin));
        var set = new WafSet(null, slot, null);
        Evaluate(gate, set, "/admin/x");
        Evaluate(gate, set, "/home");
        Evaluate(gate, set, "/home");

        slot.Swap(files.CompileAcl(BlockAdmin)); // a reload: a new ACL of the same name
        Evaluate(gate, set, "/admin/y");
        var other = new WafSet(null, new WafAclSlot("other.yaml", Rename(files.CompileAcl(BlockAdmin), "other")), null);
        Evaluate(gate, other, "/admin/z");
        slot.Swap(Rename(files.CompileAcl(BlockAdmin), "renamed")); // the file now names its ACL differently
        Evaluate(gate, set, "/home");

        var metrics = Metrics();
        Assert.Contains("edge_waf_decisions_total{acl=\"test\",action=\"allow\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_decisions_total{acl=\"test\",action=\"block\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_decisions_total{acl=\"other\",action=\"block\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_decisions_total{acl=\"renamed\",action=\"allow\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"count\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_with_an_expiry_date_apply_until_it_and_not_after()
    {
        var gate = new WafGate(_engine, NullLogger.Instance);
        var acl = files.CompileAcl($$"""
              - Name: until-next-year
                Priority: 1
                Action: { Block: {} }
                Metadata: { Owner: sec, ExpiresAt: "{{DateTimeOffset.UtcNow.AddYears(1):yyyy-MM-ddTHH:mm:ssZ}}" }
                Statement: { ByteMatchStatement: { SearchString: /a, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
              - Name: expired
                Priority: 2
                Action: { Block: {} }
                Metadata: { Owner: sec, ExpiresAt: "2020-01-01T00:00:00Z" }
                Statement: { ByteMatchStatement: { SearchString: /b, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
            """);
        Assert.True(acl.HasExpiringRules);
        Assert.False(files.CompileAcl(BlockAdmin).HasExpiringRules);
        var set = new WafSet(null, new WafAclSlot("rules.yaml", acl), null);
        Assert.True(Evaluate(gate, set, "/a").Blocked);
        Assert.False(Evaluate(gate, set, "/b").Blocked);
    }

    private static WafVerdict Evaluate(WafGate gate, WafSet set, string path) =>
        gate.Evaluate(set, new WafRequest(WafTestRequests.Parse(WafTestRequests.Get(path)), IPAddress.Parse("203.0.113.7").GetAddressBytes()));

    private static WebAcl Rename(WebAcl acl, string name) =>
        new(name, acl.Source, acl.DefaultAction, [.. acl.Rules], acl.Labels, acl.BodyInspectionBytes);

    private string Metrics()
    {
        var buffer = new ArrayBufferWriter<byte>();
        _engine.Metrics.Write(new PrometheusTextWriter(buffer), _engine.Counters, _engine);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
