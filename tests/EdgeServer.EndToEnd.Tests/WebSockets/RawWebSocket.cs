using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A WebSocket client from raw bytes: for frames no library would send (unmasked, invalid UTF-8, exact fragments)
/// and for seeing the exact frames the edge writes (its close codes, its pings).
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private byte[] _buffer = new byte[1 << 20];
    private int _length;

    public sealed record Frame(bool Fin, int Opcode, byte[] Payload)
    {
        public int CloseCode => Opcode == 8 && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;
        public string Text => Encoding.UTF8.GetString(Opcode == 8 && Payload.Length >= 2 ? Payload[2..] : Payload);

        /// <summary>The three reserved bits (RSV1 = 4: permessage-deflate's "compressed").</summary>
        public int Rsv { get; init; }
    }

    /// <summary>The response head to the handshake (status line and fields).</summary>
    public string ResponseHead { get; private set; } = "";
    public int Status => int.Parse(ResponseHead.Split(' ')[1]);

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>Connects and sends a handshake (<paramref name="extraHeaders"/> as whole lines); reads the response head.</summary>
    public static async Task<RawWebSocket> ConnectAsync(IPEndPoint edge, string path, string? key = null, string extraHeaders = "", string version = "13")
    {
        var ws = new RawWebSocket();
        await ws._socket.ConnectAsync(edge);
        key ??= NewKey();
        await ws.SendRawAsync(Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n{extraHeaders}\r\n"));
        ws.ResponseHead = await ws.ReadHeadAsync();
        return ws;
    }

    public Task SendRawAsync(byte[] bytes) => _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>One frame as a client sends it (masked unless told otherwise).</summary>
    public static byte[] ClientFrame(int opcode, byte[] payload, bool fin = true, bool masked = true, int rsv = 0)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length <= 125) header.Add((byte)(maskBit | payload.Length));
        else if (payload.Length <= ushort.MaxValue) { header.Add((byte)(maskBit | 126)); header.Add((byte)(payload.Length >> 8)); header.Add((byte)payload.Length); }
        else { header.Add((byte)(maskBit | 127)); for (var i = 7; i >= 0; i--) header.Add((byte)((long)payload.Length >> (8 * i))); }
        var body = (byte[])payload.Clone();
        if (masked)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            header.AddRange(key);
            for (var i = 0; i < body.Length; i++) body[i] ^= key[i & 3];
        }
        return [.. header, .. body];
    }

    public Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool masked = true, int rsv = 0) => SendRawAsync(ClientFrame(opcode, payload, fin, masked, rsv));

    public Task SendTextAsync(string text) => SendFrameAsync(1, Encoding.UTF8.GetBytes(text));

    public static byte[] ClosePayload(int code, string reason = "") => [(byte)(code >> 8), (byte)code, .. Encoding.UTF8.GetBytes(reason)];

    /// <summary>The next frame from the edge; null when the connection closed first.</summary>
    public async Task<Frame?> ReadFrameAsync(int timeoutSeconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (true)
        {
            if (TryParse(out var frame)) return frame;
            if (_length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n;
            try
            {
                n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                return null;
            }
            if (n == 0) return null;
            _length += n;
        }
    }

    /// <summary>Frames until a close frame (returned) or the end of the connection (null).</summary>
    public async Task<Frame?> ReadUntilCloseAsync(int timeoutSeconds = 10)
    {
        while (await ReadFrameAsync(timeoutSeconds) is { } frame)
        {
            if (frame.Opcode == 8) return frame;
        }
        return null;
    }

    public async Task<bool> IsClosedByServerAsync(int timeoutSeconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(new byte[4096], SocketFlags.None, cts.Token) == 0) return true;
            }
        }
        catch (OperationCanceledException) { return false; }
        catch (SocketException) { return true; }
    }

    /// <summary>How the server ended the connection after what was read: "eof" (FIN), "reset", or "timeout".</summary>
    public async Task<string> ReadEndAsync(int timeoutSeconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(new byte[4096], SocketFlags.None, cts.Token) == 0) return "eof";
            }
        }
        catch (OperationCanceledException) { return "timeout"; }
        catch (SocketException ex) { return $"reset ({ex.SocketErrorCode})"; }
    }

    /// <summary>Half-closes: the server reads the end of the stream, this side can still read.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    private bool TryParse(out Frame? frame)
    {
        frame = null;
        var data = _buffer.AsSpan(0, _length);
        if (data.Length < 2) return false;
        if ((data[1] & 0x80) != 0) throw new InvalidDataException("the edge sent a masked frame to a client");
        long length = data[1] & 0x7F;
        var at = 2;
        if (length == 126) { if (data.Length < 4) return false; length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]); at = 4; }
        else if (length == 127) { if (data.Length < 10) return false; length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]); at = 10; }
        if (data.Length < at + length) return false;
        frame = new Frame((data[0] & 0x80) != 0, data[0] & 0x0F, data.Slice(at, (int)length).ToArray()) { Rsv = (data[0] >> 4) & 7 };
        var used = at + (int)length;
        Buffer.BlockCopy(_buffer, used, _buffer, 0, _length - used);
        _length -= used;
        return true;
    }

    private async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString(_buffer, 0, _length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var headLength = end + 4;
                Buffer.BlockCopy(_buffer, headLength, _buffer, 0, _length - headLength);
                _length -= headLength;
                return text[..headLength];
            }
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None);
            if (n == 0) return text;
            _length += n;
        }
    }

    /// <summary>What is left after the head (a refused handshake's body), until the server closes.</summary>
    public async Task<string> ReadRestAsync(int timeoutSeconds = 10)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cts.Token);
                if (n == 0) break;
                _length += n;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException) { }
        return Encoding.UTF8.GetString(_buffer, 0, _length);
    }

    public void Dispose() => _socket.Dispose();
}
