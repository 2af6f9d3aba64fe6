using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A WebSocket backend on a bare socket, for what a real server library will not do on purpose: bytes written right
/// behind the 101, a connection cut in the middle of a frame, a peer that stops reading. Each connection's handshake
/// is answered with a valid 101 (in the same write as <c>behind</c>), then the script runs on the raw socket.
/// </summary>
internal sealed class ScriptedWsBackend : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<Socket, Task> _script;
    private readonly byte[] _behind;
    private readonly List<Socket> _accepted = [];
    private readonly Task _accepting;

    private ScriptedWsBackend(Func<Socket, Task> script, byte[] behind)
    {
        _script = script;
        _behind = behind;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";

    /// <summary>The scripts' outcomes, in the order the connections ended.</summary>
    public List<Task> Scripts { get; } = [];

    public static ScriptedWsBackend Start(Func<Socket, Task> script, byte[]? behind = null) => new(script, behind ?? []);

    /// <summary>An unmasked frame, as a server sends it.</summary>
    public static byte[] ServerFrame(int opcode, byte[] payload, bool fin = true)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126) header.Add((byte)payload.Length);
        else if (payload.Length <= ushort.MaxValue) header.AddRange([126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        else
        {
            header.Add(127);
            for (var i = 7; i >= 0; i--) header.Add((byte)((long)payload.Length >> (8 * i)));
        }
        return [.. header, .. payload];
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync();
                lock (_accepted) _accepted.Add(socket);
                lock (Scripts) Scripts.Add(ServeAsync(socket));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        // One byte at a time: nothing of what follows the request head is taken here.
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer) == 0) return;
            head.Append((char)buffer[0]);
        }
        var key = head.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n");
        await socket.SendAsync((byte[])[.. response, .. _behind]);
        await _script(socket);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting;
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
    }
}
