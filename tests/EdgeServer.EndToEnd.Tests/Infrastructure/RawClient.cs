using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>A client that sends exact bytes and reads raw responses: for framing and smuggling tests no HTTP library would let us write.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _buffer = new byte[4 * 1024 * 1024];
    private int _length;

    /// <param name="from">A local address to connect from (any of 127.0.0.0/8 on loopback): a second client address in one test.</param>
    public static async Task<RawClient> ConnectAsync(IPEndPoint endpoint, IPAddress? from = null)
    {
        var client = new RawClient();
        if (from is not null) client._socket.Bind(new IPEndPoint(from, 0));
        await client._socket.ConnectAsync(endpoint);
        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads one response (head plus a Content-Length or chunked body). Null when the connection closed first.</summary>
    public async Task<RawResponse?> ReadResponseAsync(TimeSpan? timeout = null, bool headOnly = false)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var parsed = RawResponse.TryParse(_buffer.AsSpan(0, _length), headOnly, out var consumed);
            if (parsed is not null)
            {
                Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _length - consumed);
                _length -= consumed;
                return parsed;
            }
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cts.Token);
            if (n == 0) return null;
            _length += n;
        }
    }

    /// <summary>Everything the server sends until it closes the connection (close-delimited responses).</summary>
    public async Task<byte[]> ReadToCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cts.Token);
            if (n == 0) break;
            _length += n;
        }
        var all = _buffer.AsSpan(0, _length).ToArray();
        _length = 0;
        return all;
    }

    /// <summary>True when the server closed the connection (reads 0 bytes) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cts.Token);
                if (n == 0) return true;
                _length += n;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();
}

internal sealed record RawResponse(int Status, string Head, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    public static RawResponse? TryParse(ReadOnlySpan<byte> data, bool headOnly, out int consumed)
    {
        consumed = 0;
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        var head = Encoding.Latin1.GetString(data[..end]);
        var status = int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = end + 4;
        var response = new RawResponse(status, head, []);
        if (headOnly || status is < 200 or 204 or 304)
        {
            consumed = bodyStart;
            return response;
        }
        if (response.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new List<byte>();
            var at = bodyStart;
            while (true)
            {
                var lineEnd = data[at..].IndexOf("\r\n"u8);
                if (lineEnd < 0) return null;
                var sizeText = Encoding.ASCII.GetString(data.Slice(at, lineEnd)).Split(';')[0];
                var size = Convert.ToInt32(sizeText, 16);
                at += lineEnd + 2;
                if (size == 0)
                {
                    var trailerEnd = data[at..].IndexOf("\r\n"u8);
                    while (trailerEnd > 0)
                    {
                        at += trailerEnd + 2;
                        trailerEnd = data[at..].IndexOf("\r\n"u8);
                    }
                    if (trailerEnd < 0) return null;
                    consumed = at + 2;
                    return response with { Body = body.ToArray() };
                }
                if (data.Length < at + size + 2) return null;
                body.AddRange(data.Slice(at, size).ToArray());
                at += size + 2;
            }
        }
        var length = response.Header("Content-Length") is { } cl ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (data.Length < bodyStart + length) return null;
        consumed = bodyStart + length;
        return response with { Body = data.Slice(bodyStart, length).ToArray() };
    }
}
