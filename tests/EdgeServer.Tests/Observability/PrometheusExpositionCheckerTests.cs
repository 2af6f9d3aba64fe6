namespace EdgeServer.Tests.Observability;

/// <summary>The checker the exposition tests rely on must itself reject what Prometheus would.</summary>
public sealed class PrometheusExpositionCheckerTests
{
    private const string Header = "# HELP m_total Help.\n# TYPE m_total counter\n";

    [Theory]
    [InlineData(Header + "m_total 1")]                                           // no final line feed
    [InlineData(Header + Header + "m_total 1\n")]                                // HELP/TYPE twice
    [InlineData("# TYPE m_total counter\n# HELP m_total Help.\nm_total 1\n")]    // HELP after TYPE
    [InlineData("m_total 1\n")]                                                  // untyped sample
    [InlineData(Header + "m_total{a=\"x\"y\"} 1\n")]                            // unescaped quote
    [InlineData(Header + "m_total{a=\"x\\y\"} 1\n")]                            // unknown escape
    [InlineData(Header + "m_total{a=\"1\"} 1\nm_total{a=\"1\"} 2\n")]          // repeated series
    [InlineData(Header + "m_total one\n")]                                       // bad value
    [InlineData(Header + "m_total{0a=\"1\"} 1\n")]                              // bad label name
    [InlineData(Header + "m_total 1\n# HELP n Help.\n# TYPE n gauge\nn 1\nm_total{a=\"2\"} 1\n")] // family split
    [InlineData("# HELP h Help.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# HELP h Help.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")] // no +Inf
    [InlineData("# HELP h Help.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n")] // count differs
    public void Rejects_invalid_exposition(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse(text));
    }

    [Fact]
    public void Accepts_valid_exposition()
    {
        PrometheusExposition parsed = PrometheusExposition.Parse(
            Header + "m_total{a=\"x\\\"\\\\\\n\",b=\"\"} 1.5e3\n# HELP h Help.\n# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.7\nh_count 2\n");

        Assert.Equal("x\"\\\n", parsed.Samples[0].Labels["a"]);
        Assert.Equal(1500, parsed.Samples[0].Value);
    }
}
