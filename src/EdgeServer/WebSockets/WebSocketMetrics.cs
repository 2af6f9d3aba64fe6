using EdgeServer.Observability;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSockets;

/// <summary>
/// One route's WebSocket counters. The relay adds per read, not per frame (a read's frames and bytes are summed in
/// the connection's state first), so a burst of small frames costs a few Interlocked adds.
/// </summary>
internal sealed class WebSocketMetrics(string route)
{
    /// <summary>Close codes 1000-1015 get their own cell; everything else (3000-4999) is "other".</summary>
    private const int ViolationCells = (int)WebSocketViolation.RefusedByHandler + 1;

    private long _opened;
    private long _closed;
    private long _framesFromClient;
    private long _framesFromUpstream;
    private long _bytesFromClient;
    private long _bytesFromUpstream;
    private long _pings;
    private readonly CloseCodeCounts _closes = new();
    private readonly long[] _violationsFromClient = new long[ViolationCells];
    private readonly long[] _violationsFromUpstream = new long[ViolationCells];
    private readonly long[] _refused = new long[WebSocketRefusals.Count];

    public string Route => route;
    public long Open => Volatile.Read(ref _opened) - Volatile.Read(ref _closed);

    public void Opened() => Interlocked.Increment(ref _opened);

    /// <param name="closeCode">The first close code seen on the connection (either way, or the edge's own); 0: none (the TCP connection just ended).</param>
    public void Closed(ushort closeCode)
    {
        _closes.Count(closeCode);
        Interlocked.Increment(ref _closed);
    }

    public void AddTraffic(bool fromClient, long frames, long bytes)
    {
        if (frames != 0) Interlocked.Add(ref fromClient ? ref _framesFromClient : ref _framesFromUpstream, frames);
        if (bytes != 0) Interlocked.Add(ref fromClient ? ref _bytesFromClient : ref _bytesFromUpstream, bytes);
    }

    public void EdgePing() => Interlocked.Increment(ref _pings);

    public void Violation(bool fromClient, WebSocketViolation violation) =>
        Interlocked.Increment(ref (fromClient ? _violationsFromClient : _violationsFromUpstream)[(int)violation]);

    public void Refused(WebSocketRefusal refusal) => Interlocked.Increment(ref _refused[(int)refusal]);

    public long RefusedCount(WebSocketRefusal refusal) => Volatile.Read(ref _refused[(int)refusal]);

    public static void Write(PrometheusTextWriter w, IReadOnlyList<WebSocketMetrics> routes)
    {
        w.WriteFamily("edge_websocket_connections_open", "WebSocket connections being relayed now.", "gauge");
        foreach (var m in routes) Sample(w, "edge_websocket_connections_open", m.Route, null, null, m.Open);
        w.WriteFamily("edge_websocket_connections_total", "WebSocket connections relayed (backend answered 101 and it was valid).", "counter");
        foreach (var m in routes) Sample(w, "edge_websocket_connections_total", m.Route, null, null, Volatile.Read(ref m._opened));

        w.WriteFamily("edge_websocket_frames_total", "WebSocket frames relayed, by direction (from client, from upstream).", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_websocket_frames_total", m.Route, "direction", "client", Volatile.Read(ref m._framesFromClient));
            Sample(w, "edge_websocket_frames_total", m.Route, "direction", "upstream", Volatile.Read(ref m._framesFromUpstream));
        }
        w.WriteFamily("edge_websocket_bytes_total", "WebSocket bytes relayed (frames as on the wire), by direction.", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_websocket_bytes_total", m.Route, "direction", "client", Volatile.Read(ref m._bytesFromClient));
            Sample(w, "edge_websocket_bytes_total", m.Route, "direction", "upstream", Volatile.Read(ref m._bytesFromUpstream));
        }
        w.WriteFamily("edge_websocket_pings_total", "Pings the edge sent to idle peers.", "counter");
        foreach (var m in routes) Sample(w, "edge_websocket_pings_total", m.Route, null, null, Volatile.Read(ref m._pings));

        w.WriteFamily("edge_websocket_closes_total", "Ended WebSocket connections by the first close code seen (none: the TCP connection ended without one).", "counter");
        foreach (var m in routes) m._closes.Write(w, "edge_websocket_closes_total", m.Route);

        w.WriteFamily("edge_websocket_violations_total", "Protocol and limit violations that closed a WebSocket connection, by sender and kind.", "counter");
        foreach (var m in routes)
        {
            for (var v = 1; v < ViolationCells; v++)
            {
                var kind = ViolationLabel((WebSocketViolation)v);
                var fromClient = Volatile.Read(ref m._violationsFromClient[v]);
                var fromUpstream = Volatile.Read(ref m._violationsFromUpstream[v]);
                if (fromClient != 0) Sample3(w, m.Route, "client", kind, fromClient);
                if (fromUpstream != 0) Sample3(w, m.Route, "upstream", kind, fromUpstream);
            }
        }

        w.WriteFamily("edge_websocket_upgrades_refused_total", "Upgrade requests not relayed as WebSockets, by reason.", "counter");
        foreach (var m in routes)
        {
            for (var r = 0; r < WebSocketRefusals.Count; r++)
            {
                var n = Volatile.Read(ref m._refused[r]);
                if (n != 0) Sample(w, "edge_websocket_upgrades_refused_total", m.Route, "reason", WebSocketRefusals.Label((WebSocketRefusal)r), n);
            }
        }
    }

    /// <summary>snake_case of the violation's name: unmasked_client_frame, invalid_utf8_text, message_too_big, refused_by_handler...</summary>
    public static string ViolationLabel(WebSocketViolation violation) => s_violationLabels[(int)violation];

    private static readonly string[] s_violationLabels = BuildViolationLabels();

    private static string[] BuildViolationLabels()
    {
        var labels = new string[ViolationCells];
        for (var v = 0; v < ViolationCells; v++)
        {
            var name = ((WebSocketViolation)v).ToString();
            var text = new System.Text.StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0) text.Append('_');
                text.Append(char.ToLowerInvariant(name[i]));
            }
            labels[v] = text.ToString();
        }
        return labels;
    }

    private static void Sample(PrometheusTextWriter w, string family, string route, string? label, string? value, long n)
    {
        w.BeginSample(family);
        w.AddLabel("route", route);
        if (label is not null) w.AddLabel(label, value!);
        w.EndSample(n);
    }

    private static void Sample3(PrometheusTextWriter w, string route, string sender, string kind, long n)
    {
        w.BeginSample("edge_websocket_violations_total");
        w.AddLabel("route", route);
        w.AddLabel("sender", sender);
        w.AddLabel("kind", kind);
        w.EndSample(n);
    }
}
