using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>
/// A TLS client on .NET's SslStream that keeps one connection open for several requests: what tests of
/// keep-alive, reload and revocation need (curl and openssl open a connection per run).
/// </summary>
internal sealed class TlsClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private TlsClient(TcpClient tcp, SslStream stream)
    {
        _tcp = tcp;
        Stream = stream;
    }

    public SslStream Stream { get; }

    /// <param name="clientCertificate">Name in the PKI directory without extension (e.g. "client-alice"), or null for none.</param>
    public static async Task<TlsClient> ConnectAsync(IPEndPoint endpoint, Pki pki, string? clientCertificate, string serverName = "localhost",
        SslProtocols protocols = SslProtocols.None)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        var stream = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = protocols,
            CertificateChainPolicy = TrustDevCa(pki),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        if (clientCertificate is not null)
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(pki.File(clientCertificate + ".crt"));
            var leaf = X509Certificate2.CreateFromPemFile(pki.File(clientCertificate + ".crt"), pki.File(clientCertificate + ".key"));
            all.RemoveAt(0);
            options.ClientCertificateContext = SslStreamCertificateContext.Create(leaf, all, offline: true);
        }
        try
        {
            await stream.AuthenticateAsClientAsync(options);
        }
        catch
        {
            await stream.DisposeAsync();
            tcp.Dispose();
            throw;
        }
        return new TlsClient(tcp, stream);
    }

    public static X509ChainPolicy TrustDevCa(Pki pki)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(pki.Load("ca.crt"));
        return policy;
    }

    /// <summary>Sends a GET and reads one response (Content-Length or chunked).</summary>
    public async Task<(int Status, string Head, string Body)> GetAsync(string path, string extraHeaders = "")
    {
        await Stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extraHeaders}\r\n"));
        return await ReadResponseAsync();
    }

    public async Task<(int Status, string Head, string Body)> ReadResponseAsync()
    {
        var headEnd = await IndexOfAsync("\r\n\r\n"u8.ToArray(), 0);
        var head = Encoding.ASCII.GetString(_buffer, 0, headEnd);
        var status = int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        Consume(headEnd + 4);
        var lines = head.Split("\r\n");
        var length = lines.Where(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var chunked = lines.Any(l => l.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var body = new List<byte>();
        if (!chunked)
        {
            body.AddRange(await TakeAsync(length));
            return (status, head, Encoding.UTF8.GetString([.. body]));
        }
        while (true)
        {
            var lineEnd = await IndexOfAsync("\r\n"u8.ToArray(), 0);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer, 0, lineEnd).Split(';')[0], 16);
            Consume(lineEnd + 2);
            if (size == 0)
            {
                await TakeAsync(2);
                return (status, head, Encoding.UTF8.GetString([.. body]));
            }
            body.AddRange(await TakeAsync(size));
            await TakeAsync(2);
        }
    }

    private async Task<int> IndexOfAsync(byte[] marker, int from)
    {
        int index;
        while ((index = _buffer.AsSpan(from, _buffered - from).IndexOf(marker)) < 0) await FillAsync();
        return from + index;
    }

    private async Task<byte[]> TakeAsync(int count)
    {
        while (_buffered < count) await FillAsync();
        var taken = _buffer.AsSpan(0, count).ToArray();
        Consume(count);
        return taken;
    }

    private void Consume(int count)
    {
        _buffer.AsSpan(count, _buffered - count).CopyTo(_buffer);
        _buffered -= count;
    }

    /// <summary>True when the server closed the connection (EOF or reset) within <paramref name="timeout"/>.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await Stream.ReadAsync(new byte[1], cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task FillAsync()
    {
        var n = await Stream.ReadAsync(_buffer.AsMemory(_buffered));
        if (n == 0) throw new IOException("connection closed before a whole response arrived");
        _buffered += n;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _tcp.Dispose();
    }
}
