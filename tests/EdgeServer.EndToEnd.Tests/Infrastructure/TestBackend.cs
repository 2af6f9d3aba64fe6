using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real Kestrel backend on a loopback port. It counts the TCP connections it accepts (to prove
/// upstream reuse) and serves a few behaviours the tests need.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private TestBackend(WebApplication app) { _app = app; }

    public IPEndPoint Endpoint { get; private set; } = null!;
    public string Address => $"127.0.0.1:{Endpoint.Port}";
    public int Connections => Volatile.Read(ref _connections);
    private int _requests;
    /// <summary>Requests that reached the backend (to prove a refused one never did).</summary>
    public int RequestCount => Volatile.Read(ref _requests);
    public string Name { get; private set; } = "";

    public static async Task<TestBackend> StartAsync(string name = "backend", int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        TestBackend? backend = null;
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, port, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.Use(next => context =>
                {
                    Interlocked.Increment(ref backend!._connections);
                    return next(context);
                });
                bound = o;
            });
        });
        var app = builder.Build();
        backend = new TestBackend(app) { Name = name };
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref backend._requests);
            return next(context);
        });
        Map(app, name);
        await app.StartAsync();
        backend.Endpoint = bound!.IPEndPoint!;
        return backend;
    }

    private static void Map(WebApplication app, string name)
    {
        app.MapGet("/hello", () => Results.Text($"hello from {name}"));
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/headers", (HttpRequest request) =>
            Results.Json(request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        app.Map("/echo", async (HttpContext context) =>
        {
            context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
            await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        app.Map("/count", async (HttpContext context) =>
        {
            // Reads the whole body without keeping it: proves streaming without buffering on the proxy.
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0) total += n;
            await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGet("/big/{bytes:long}", async (HttpContext context, long bytes) =>
        {
            // No Content-Length: Kestrel answers chunked.
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (long sent = 0; sent < bytes; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)), context.RequestAborted);
            }
        });
        app.MapGet("/slow/{ms:int}", async (int ms, CancellationToken ct) =>
        {
            await Task.Delay(ms, ct);
            return Results.Text("slow");
        });
        app.MapGet("/json", () => Results.Json(new { name }));
        app.MapFallback((HttpContext context) => Results.Json(new
        {
            backend = name,
            method = context.Request.Method,
            path = context.Request.Path.Value,
            query = context.Request.QueryString.Value,
        }));
        _ = JsonSerializer.Serialize(0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
