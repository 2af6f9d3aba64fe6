using System.Buffers;
using System.Text;
using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

internal static class MetricsTestOutput
{
    public static string Render(EdgeMetrics metrics)
    {
        var buffer = new ArrayBufferWriter<byte>();
        metrics.WritePrometheus(buffer);
        // Strict decoding: the exposition must be valid UTF-8.
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.WrittenSpan);
    }

    public static PrometheusExposition Scrape(EdgeMetrics metrics) => PrometheusExposition.Parse(Render(metrics));
}
