using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real Kestrel HTTPS backend serving <see cref="TestPki.Server"/> that requires a client certificate
/// issued by the test CA, as a backend doing mutual TLS would. It records the SNI it was asked for and
/// counts completed TLS handshakes (to prove that upstream TLS connections are reused).
/// </summary>
internal sealed class TlsBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;
    private string? _lastSni = "(no handshake yet)";

    private TlsBackend(WebApplication app) { _app = app; }

    public IPEndPoint Endpoint { get; private set; } = null!;
    public string Address => $"127.0.0.1:{Endpoint.Port}";
    public int Connections => Volatile.Read(ref _connections);
    /// <summary>The server name the last client sent (null: no SNI).</summary>
    public string? LastSni => Volatile.Read(ref _lastSni);

    /// <param name="keepAliveTimeout">Kestrel closes idle connections after this (its heartbeat checks once a second).</param>
    public static async Task<TlsBackend> StartAsync(TestPki pki, TimeSpan? keepAliveTimeout = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        TlsBackend? backend = null;
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (keepAliveTimeout is { } keepAlive) k.Limits.KeepAliveTimeout = keepAlive;
            k.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, name) =>
                    {
                        Volatile.Write(ref backend!._lastSni, name);
                        return pki.Server;
                    },
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    // Kestrel's own check uses the system store; the backend trusts exactly the test CA.
                    ClientCertificateValidation = (certificate, _, _) => pki.IssuedByCa(certificate),
                });
                // After UseHttps: runs once per completed handshake.
                o.Use(next => context =>
                {
                    Interlocked.Increment(ref backend!._connections);
                    return next(context);
                });
                bound = o;
            });
        });
        var app = builder.Build();
        backend = new TlsBackend(app);
        app.MapGet("/whoami", (HttpContext context) => Results.Text(context.Connection.ClientCertificate?.Subject ?? "(no client certificate)"));
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapPost("/echo", async (HttpContext context) => await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted));
        app.MapGet("/big/{bytes:int}", (int bytes) => Results.Text(new string('x', bytes)));
        await app.StartAsync();
        backend.Endpoint = bound!.IPEndPoint!;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
