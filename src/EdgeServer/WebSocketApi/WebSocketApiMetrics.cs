using System.Collections.Concurrent;
using EdgeServer.Observability;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSocketApi;

/// <summary>How one backend call ended: the label of edge_wsapi_backend_calls_total.</summary>
internal enum BackendResult : byte
{
    Status2xx,
    Status3xx,
    Status4xx,
    Status5xx,
    Timeout,
    /// <summary>No healthy destination, connect failure, reset, an answer larger than maxMessageBytes.</summary>
    Error,
}

/// <summary>
/// One WebSocket API route's counters, kept across reloads by route name. Route keys come and go with the config,
/// so each key's result cells are looked up once when a snapshot compiles and the data path only increments.
/// </summary>
internal sealed class WebSocketApiMetrics(string route)
{
    private const int ResultCount = (int)BackendResult.Error + 1;
    private static readonly string[] s_results = ["2xx", "3xx", "4xx", "5xx", "timeout", "error"];

    private readonly ConcurrentDictionary<string, long[]> _calls = new(StringComparer.Ordinal);
    private readonly WebSockets.CloseCodeCounts _closes = new();
    private readonly long[] _violations = new long[(int)WebSocketViolation.RefusedByHandler + 1];
    private long _opened, _closed;
    private long _messagesIn, _messagesOut, _bytesIn, _bytesOut, _pushes;
    private long _queueFull, _unrouted, _rateLimited, _refused;
    private long _perIpLimited, _perKeyLimited;

    public string Route => route;
    public long Open => Volatile.Read(ref _opened) - Volatile.Read(ref _closed);

    /// <summary>The result cells of one route key (indexed by <see cref="BackendResult"/>).</summary>
    public long[] CallCells(string routeKey) => _calls.GetOrAdd(routeKey, static _ => new long[ResultCount]);

    public static void Call(long[] cells, BackendResult result) => Interlocked.Increment(ref cells[(int)result]);

    public static BackendResult ResultOf(int status) => status switch
    {
        < 300 => BackendResult.Status2xx,
        < 400 => BackendResult.Status3xx,
        < 500 => BackendResult.Status4xx,
        _ => BackendResult.Status5xx,
    };

    public void Opened() => Interlocked.Increment(ref _opened);

    public void Closed(ushort code)
    {
        _closes.Count(code);
        Interlocked.Increment(ref _closed);
    }

    /// <summary>A $connect refusal or a handshake the edge refused itself (bad handshake, per-address limit, no backend).</summary>
    public void Refused() => Interlocked.Increment(ref _refused);

    /// <summary>A handshake refused (429) by maxConnectionsPerIp or maxConnectionsPerKey; also one of <see cref="Refused"/>.</summary>
    public void Limited(bool perKey) => Interlocked.Increment(ref perKey ? ref _perKeyLimited : ref _perIpLimited);

    public void MessageIn(long bytes)
    {
        Interlocked.Increment(ref _messagesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    /// <param name="push">Sent through POST /@connections rather than as a two-way reply.</param>
    public void MessageOut(long bytes, bool push)
    {
        Interlocked.Increment(ref _messagesOut);
        Interlocked.Add(ref _bytesOut, bytes);
        if (push) Interlocked.Increment(ref _pushes);
    }

    public void QueueFull() => Interlocked.Increment(ref _queueFull);
    public void Unrouted() => Interlocked.Increment(ref _unrouted);
    public void RateLimited() => Interlocked.Increment(ref _rateLimited);
    public void Violation(WebSocketViolation violation) => Interlocked.Increment(ref _violations[(int)violation]);

    public static void Write(PrometheusTextWriter w, IReadOnlyList<WebSocketApiMetrics> routes)
    {
        Family(w, "edge_wsapi_connections_open", "WebSocket API connections open now.", "gauge", routes, static m => m.Open);
        Family(w, "edge_wsapi_connections_total", "WebSocket API connections accepted ($connect passed, 101 sent).", "counter", routes, static m => Volatile.Read(ref m._opened));
        Family(w, "edge_wsapi_handshakes_refused_total", "WebSocket API handshakes refused ($connect non-2xx or failed, bad handshake, connection limits).", "counter", routes, static m => Volatile.Read(ref m._refused));
        w.WriteFamily("edge_wsapi_handshakes_limited_total", "WebSocket API handshakes refused with 429 by a connection limit, by reason (per_ip_limit, per_key_limit); also in handshakes_refused_total.", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_wsapi_handshakes_limited_total", m.Route, "reason", "per_ip_limit", Volatile.Read(ref m._perIpLimited));
            Sample(w, "edge_wsapi_handshakes_limited_total", m.Route, "reason", "per_key_limit", Volatile.Read(ref m._perKeyLimited));
        }

        w.WriteFamily("edge_wsapi_messages_total", "WebSocket API data messages, by direction (in: from clients; out: replies and pushes to clients).", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_wsapi_messages_total", m.Route, "direction", "in", Volatile.Read(ref m._messagesIn));
            Sample(w, "edge_wsapi_messages_total", m.Route, "direction", "out", Volatile.Read(ref m._messagesOut));
        }
        w.WriteFamily("edge_wsapi_message_bytes_total", "WebSocket API message payload bytes, by direction.", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_wsapi_message_bytes_total", m.Route, "direction", "in", Volatile.Read(ref m._bytesIn));
            Sample(w, "edge_wsapi_message_bytes_total", m.Route, "direction", "out", Volatile.Read(ref m._bytesOut));
        }
        Family(w, "edge_wsapi_pushes_total", "Messages sent to clients through POST /@connections/{id}.", "counter", routes, static m => Volatile.Read(ref m._pushes));

        w.WriteFamily("edge_wsapi_messages_dropped_total", "Client messages not delivered to a backend, by reason (queue_full closes the connection with 1008, rate_limited too).", "counter");
        foreach (var m in routes)
        {
            Sample(w, "edge_wsapi_messages_dropped_total", m.Route, "reason", "queue_full", Volatile.Read(ref m._queueFull));
            Sample(w, "edge_wsapi_messages_dropped_total", m.Route, "reason", "unrouted", Volatile.Read(ref m._unrouted));
            Sample(w, "edge_wsapi_messages_dropped_total", m.Route, "reason", "rate_limited", Volatile.Read(ref m._rateLimited));
        }

        w.WriteFamily("edge_wsapi_backend_calls_total", "Integration calls to backends, by route key and result (status class, timeout, error).", "counter");
        foreach (var m in routes)
        {
            foreach (var (key, cells) in m._calls.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                for (var r = 0; r < ResultCount; r++)
                {
                    var n = Volatile.Read(ref cells[r]);
                    if (n == 0) continue;
                    w.BeginSample("edge_wsapi_backend_calls_total");
                    w.AddLabel("route", m.Route);
                    w.AddLabel("route_key", key);
                    w.AddLabel("result", s_results[r]);
                    w.EndSample(n);
                }
            }
        }

        w.WriteFamily("edge_wsapi_closes_total", "Ended WebSocket API connections by close code (none: the TCP connection ended without one).", "counter");
        foreach (var m in routes) m._closes.Write(w, "edge_wsapi_closes_total", m.Route);

        w.WriteFamily("edge_wsapi_violations_total", "Protocol and limit violations by clients that closed a WebSocket API connection, by kind.", "counter");
        foreach (var m in routes)
        {
            for (var v = 1; v < m._violations.Length; v++)
            {
                var n = Volatile.Read(ref m._violations[v]);
                if (n != 0) Sample(w, "edge_wsapi_violations_total", m.Route, "kind", WebSockets.WebSocketMetrics.ViolationLabel((WebSocketViolation)v), n);
            }
        }
    }

    private static void Family(PrometheusTextWriter w, string name, string help, string type, IReadOnlyList<WebSocketApiMetrics> routes, Func<WebSocketApiMetrics, long> value)
    {
        w.WriteFamily(name, help, type);
        foreach (var m in routes) Sample(w, name, m.Route, null, null, value(m));
    }

    private static void Sample(PrometheusTextWriter w, string family, string route, string? label, string? value, long n)
    {
        w.BeginSample(family);
        w.AddLabel("route", route);
        if (label is not null) w.AddLabel(label, value!);
        w.EndSample(n);
    }
}
