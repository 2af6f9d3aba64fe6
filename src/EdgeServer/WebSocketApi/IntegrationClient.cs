using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.Upstream;

namespace EdgeServer.WebSocketApi;

/// <summary>What a backend call returned: its status (0 when it failed), how it is counted, and its body (rented; <see cref="Dispose"/> returns it).</summary>
internal readonly struct IntegrationResult(int status, BackendResult result, byte[]? body, int bodyLength, string? subprotocol) : IDisposable
{
    public int Status { get; } = status;
    public BackendResult Result { get; } = result;
    public ReadOnlySpan<byte> Body => body is null ? default : body.AsSpan(0, bodyLength);
    public ReadOnlyMemory<byte> BodyMemory => body is null ? default : body.AsMemory(0, bodyLength);
    public string? ContentType { get; init; }
    /// <summary>The Sec-WebSocket-Protocol a $connect backend chose.</summary>
    public string? Subprotocol { get; } = subprotocol;
    public bool Succeeded => Status is >= 200 and < 300;

    public void Dispose()
    {
        if (body is not null) ArrayPool<byte>.Shared.Return(body);
    }
}

/// <summary>
/// Integration calls of WebSocket APIs to one cluster: POST {path} to a destination the cluster picks (its load
/// balancing and health apply, and each call's outcome is reported to passive health), with the connection's
/// context in headers, a timeout, and the answer's body read up to a limit.
/// </summary>
/// <remarks>
/// An HttpClient with its own SocketsHttpHandler per cluster, not the forwarder's pool: the forwarder relays a
/// client's request head and streams bodies pipe to pipe, while these calls originate requests and need the whole
/// answer (a reply is sent as one message), its status and a header, which HttpClient reads for us (chunked or not).
/// The handler is bounded like the cluster's pool (maxConnectionsPerDestination, idleTimeout, connectTimeout), and a
/// TLS cluster's connections run the same handshake as the forwarder's (trust, name, client certificate) through
/// ConnectCallback, so HttpClient itself speaks plain HTTP over the stream it is given.
/// </remarks>
internal sealed class IntegrationClient : IDisposable
{
    private readonly UpstreamCluster _cluster;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<(Destination, string), Uri> _uris = new();

    public IntegrationClient(UpstreamCluster cluster)
    {
        _cluster = cluster;
        var config = cluster.Config;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            MaxConnectionsPerServer = config.MaxConnectionsPerDestination,
            PooledConnectionIdleTimeout = config.IdleTimeout,
            ConnectTimeout = config.ConnectTimeout,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<IntegrationResult> CallAsync(IntegrationCall call, TimeSpan timeout, int maxBodyBytes)
    {
        var destination = _cluster.Pick();
        if (destination is null) return new IntegrationResult(0, BackendResult.Error, null, 0, null);
        var uri = _uris.GetOrAdd((destination, call.Path), static k => new Uri($"http://{k.Item1.AddressText}{k.Item2}"));
        using var request = call.ToRequest(uri);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var (body, length) = await ReadBodyAsync(response.Content, maxBodyBytes, deadline.Token).ConfigureAwait(false);
            if (length < 0)
            {
                destination.ReportSuccess();   // the backend is fine; its answer was too big for a message
                return new IntegrationResult(status, BackendResult.Error, null, 0, null);
            }
            if (status >= 500) destination.ReportFailure();
            else destination.ReportSuccess();
            var subprotocol = response.Headers.TryGetValues("Sec-WebSocket-Protocol", out var values) ? values.FirstOrDefault() : null;
            return new IntegrationResult(status, WebSocketApiMetrics.ResultOf(status), body, length, subprotocol)
            {
                ContentType = response.Content.Headers.ContentType?.MediaType,
            };
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            destination.ReportFailure();
            return new IntegrationResult(0, BackendResult.Timeout, null, 0, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or UpstreamConnectException)
        {
            destination.ReportFailure();
            return new IntegrationResult(0, BackendResult.Error, null, 0, null);
        }
    }

    /// <summary>The whole body into a rented array; length -1 when it is longer than <paramref name="max"/>.</summary>
    private static async Task<(byte[]? Body, int Length)> ReadBodyAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } declared && declared > max) return (null, -1);
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[]? body = null;
        var length = 0;
        try
        {
            while (true)
            {
                if (body is null || length == body.Length)
                {
                    if (length > max) return (null, -1);
                    // Doubling from 4 KiB, never past one byte over the limit (enough to see that it was exceeded).
                    var next = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(length * 2, 4096), max + 1));
                    if (body is not null)
                    {
                        body.AsSpan(0, length).CopyTo(next);
                        ArrayPool<byte>.Shared.Return(body);
                    }
                    body = next;
                }
                var read = await stream.ReadAsync(body.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > max) return (null, -1);
            }
            if (length == 0)
            {
                ArrayPool<byte>.Shared.Return(body);
                return (null, 0);
            }
            var result = body;
            body = null;
            return (result, length);
        }
        finally
        {
            if (body is not null) ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>The cluster's own connect, and its TLS handshake when it has one (HttpClient then speaks HTTP over it).</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        Destination? destination = null;
        foreach (var d in _cluster.Destinations)
        {
            if (d.Address.Port == endpoint.Port && (string.Equals(d.Address.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase)
                || string.Equals($"[{d.Address.Host}]", endpoint.Host, StringComparison.OrdinalIgnoreCase)))
            {
                destination = d;
                break;
            }
        }
        var address = destination?.Address ?? new Config.Model.DnsOrIpEndPoint(endpoint.Host, endpoint.Port);
        var socket = await SocketConnector.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        if (destination?.Tls is not { } tls) return new NetworkStream(socket, ownsSocket: true);
        return await tls.AuthenticateAsync(socket, address, tls.HandshakeTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>One integration call's request: route key, event, connection context and body.</summary>
internal sealed class IntegrationCall
{
    public required string Path { get; init; }
    public required string RouteKey { get; init; }
    public const string ConnectEvent = "CONNECT", Message = "MESSAGE", DisconnectEvent = "DISCONNECT";

    /// <summary>CONNECT, MESSAGE or DISCONNECT.</summary>
    public required string EventType { get; init; }
    public required WebSocketApiConnection Connection { get; init; }
    public byte[]? Body { get; init; }
    public int BodyLength { get; init; }
    public bool Binary { get; init; }
    /// <summary>$connect: the client's handshake fields worth passing on (Authorization, cookies, query...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? ExtraHeaders { get; init; }

    public HttpRequestMessage ToRequest(Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = System.Net.HttpVersion.Version11 };
        var h = request.Headers;
        var c = Connection;
        if (ExtraHeaders is not null)
        {
            foreach (var (name, value) in ExtraHeaders) h.TryAddWithoutValidation(name, value);
        }
        h.TryAddWithoutValidation("X-Edge-Connection-Id", c.Id);
        h.TryAddWithoutValidation("X-Edge-Route-Key", RouteKey);
        h.TryAddWithoutValidation("X-Edge-Event-Type", EventType);
        h.TryAddWithoutValidation("X-Edge-Route", c.Route.Name);
        h.TryAddWithoutValidation("X-Edge-Connected-At", c.ConnectedAtText);
        h.TryAddWithoutValidation("X-Request-Id", c.NextRequestId());
        foreach (var (name, value) in c.ContextHeaders) h.TryAddWithoutValidation(name, value);
        if (EventType == DisconnectEvent)
        {
            // 1006 (abnormal closure) is what RFC 6455 §7.1.5 says to report when no close frame was exchanged.
            var code = c.CloseCode == 0 ? WebSocketCloseCodes.AbnormalClosure : c.CloseCode;
            h.TryAddWithoutValidation("X-Edge-Close-Code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (c.CloseReason is { } reason) h.TryAddWithoutValidation("X-Edge-Close-Reason", reason);
        }
        var content = Body is null ? new ByteArrayContent([]) : new ByteArrayContent(Body, 0, BodyLength);
        if (EventType == Message)
        {
            content.Headers.ContentType = Binary ? new MediaTypeHeaderValue("application/octet-stream") : new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            h.TryAddWithoutValidation("X-Edge-Message-Type", Binary ? "binary" : "text");
        }
        request.Content = content;
        return request;
    }
}
