using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>One integration call as the backend saw it.</summary>
internal sealed record ApiCall(string Path, string EventType, string RouteKey, string ConnectionId, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A real Kestrel app playing a WebSocket API's integration backend: it records every call (path, X-Edge-* context,
/// headers, body) and answers by path: /connect accepts unless the client's handshake carried X-Reject (then that
/// status), /default and /echo answer "default:"/"echo:" plus the body, /messages answers too (its route key is
/// one-way, so the answer must never reach the client), /slow takes 2 s, /disconnect just records.
/// </summary>
internal sealed class ApiBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ApiCall> _calls = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private ApiBackend(WebApplication app) => _app = app;

    public string Address { get; private set; } = "";
    public IReadOnlyCollection<ApiCall> Calls => _calls;

    public static async Task<ApiBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http1;
            bound = o;
        }));
        var app = builder.Build();
        var backend = new ApiBackend(app);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        backend.Address = $"127.0.0.1:{bound!.IPEndPoint!.Port}";
        return backend;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var call = new ApiCall(request.Path, headers.GetValueOrDefault("X-Edge-Event-Type", ""), headers.GetValueOrDefault("X-Edge-Route-Key", ""),
            headers.GetValueOrDefault("X-Edge-Connection-Id", ""), body, headers);
        switch (request.Path.Value)
        {
            case "/connect" when headers.TryGetValue("X-Reject", out var reject):
                context.Response.StatusCode = int.Parse(reject, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "/connect":
                if (headers.TryGetValue("Sec-WebSocket-Protocol", out var offered)) context.Response.Headers["Sec-WebSocket-Protocol"] = offered.Split(',')[0].Trim();
                break;
            case "/default":
                await context.Response.WriteAsync("default:" + body);
                break;
            case "/echo":
                await context.Response.WriteAsync("echo:" + body);
                break;
            case "/messages":
                // A little jitter, so ordering is something the edge must keep rather than luck.
                await Task.Delay(Random.Shared.Next(0, 4));
                await context.Response.WriteAsync("messages:" + body);
                break;
            case "/slow":
                await Task.Delay(2000);
                break;
        }
        _calls.Enqueue(call);
        _arrived.Release();
    }

    /// <summary>Waits until a recorded call matches, and returns the first that does.</summary>
    public async Task<ApiCall> WaitForAsync(Func<ApiCall, bool> match, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var found = _calls.FirstOrDefault(match);
            if (found is not null) return found;
            var left = deadline - Environment.TickCount64;
            if (left <= 0) throw new TimeoutException("no matching backend call; calls so far: " + string.Join(" | ", _calls.Select(c => $"{c.EventType} {c.RouteKey} {c.Path}")));
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(left, 200)));
        }
    }

    /// <summary>Forgets what was recorded (a load test measuring the heap does not want thousands of records in it).</summary>
    public void Clear() => _calls.Clear();

    public IEnumerable<ApiCall> For(string connectionId) => _calls.Where(c => c.ConnectionId == connectionId);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
