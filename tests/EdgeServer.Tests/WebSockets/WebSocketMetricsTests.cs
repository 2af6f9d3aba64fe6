using System.Buffers;
using System.Text;
using EdgeServer.Observability;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.WebSockets;

namespace EdgeServer.Tests.WebSockets;

/// <summary>The WebSocket families on /metrics: names, labels, and what each record call counts.</summary>
public sealed class WebSocketMetricsTests
{
    private static string Render(params WebSocketMetrics[] routes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WebSocketMetrics.Write(new PrometheusTextWriter(buffer), routes);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Connections_traffic_closes_violations_and_refusals_are_counted_per_route()
    {
        var m = new WebSocketMetrics("chat");
        m.Opened();
        m.Opened();
        m.AddTraffic(fromClient: true, frames: 3, bytes: 120);
        m.AddTraffic(fromClient: false, frames: 1, bytes: 40);
        m.EdgePing();
        m.Closed(WebSocketCloseCodes.NormalClosure);
        m.Violation(fromClient: true, WebSocketViolation.UnmaskedClientFrame);
        m.Refused(WebSocketRefusal.PerIpLimit);
        m.Refused(WebSocketRefusal.PerKeyLimit);
        m.Refused(WebSocketRefusal.PerKeyLimit);
        var text = Render(m);

        Assert.Contains("edge_websocket_connections_open{route=\"chat\"} 1\n", text);
        Assert.Contains("edge_websocket_connections_total{route=\"chat\"} 2\n", text);
        Assert.Contains("edge_websocket_frames_total{route=\"chat\",direction=\"client\"} 3\n", text);
        Assert.Contains("edge_websocket_bytes_total{route=\"chat\",direction=\"upstream\"} 40\n", text);
        Assert.Contains("edge_websocket_pings_total{route=\"chat\"} 1\n", text);
        Assert.Contains("edge_websocket_closes_total{route=\"chat\",code=\"1000\"} 1\n", text);
        Assert.Contains("edge_websocket_violations_total{route=\"chat\",sender=\"client\",kind=\"unmasked_client_frame\"} 1\n", text);
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"chat\",reason=\"per_ip_limit\"} 1\n", text);
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"chat\",reason=\"per_key_limit\"} 2\n", text);
        Assert.Contains("# TYPE edge_websocket_connections_open gauge\n", text);
    }

    [Fact]
    public void Codes_outside_1000_to_1015_and_no_code_have_their_own_series()
    {
        var m = new WebSocketMetrics("r");
        m.Opened(); m.Opened(); m.Opened();
        m.Closed(4000);
        m.Closed(3001);
        m.Closed(0);
        var text = Render(m);
        Assert.Contains("edge_websocket_closes_total{route=\"r\",code=\"other\"} 2\n", text);
        Assert.Contains("edge_websocket_closes_total{route=\"r\",code=\"none\"} 1\n", text);
        Assert.Contains("edge_websocket_connections_open{route=\"r\"} 0\n", text);
    }

    [Theory]
    [InlineData(WebSocketViolation.InvalidUtf8Text, "invalid_utf8_text")]
    [InlineData(WebSocketViolation.MessageTooBig, "message_too_big")]
    [InlineData(WebSocketViolation.RefusedByHandler, "refused_by_handler")]
    [InlineData(WebSocketViolation.NonMinimalLength, "non_minimal_length")]
    public void Violation_kinds_are_snake_case(WebSocketViolation violation, string label) =>
        Assert.Equal(label, WebSocketMetrics.ViolationLabel(violation));
}
