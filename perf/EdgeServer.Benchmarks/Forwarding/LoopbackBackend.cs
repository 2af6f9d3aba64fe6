using System.Net;
using System.Net.Sockets;

namespace EdgeServer.Benchmarks.Forwarding;

/// <summary>
/// The smallest keep-alive HTTP/1.1 origin: it answers every request head (body-less requests only)
/// with a fixed 13-byte "Hello, World!". One blocking thread per connection with reused buffers, so
/// it allocates nothing per request: MemoryDiagnoser counts the whole process, and only the proxy's
/// allocations may show.
/// </summary>
internal sealed class LoopbackBackend : IDisposable
{
    public static ReadOnlySpan<byte> Response => "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!"u8;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _accepted = [];

    public LoopbackBackend()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        new Thread(AcceptLoop) { IsBackground = true, Name = "backend accept" }.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    private void AcceptLoop()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }
            socket.NoDelay = true;
            lock (_accepted) _accepted.Add(socket);
            new Thread(() => Serve(socket)) { IsBackground = true, Name = "backend connection" }.Start();
        }
    }

    private static void Serve(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        // How much of "\r\n\r\n" the bytes read so far end with: a head may arrive split across reads.
        var matched = 0;
        try
        {
            while (true)
            {
                var n = socket.Receive(buffer.AsSpan());
                if (n == 0) return;
                for (var i = 0; i < n; i++)
                {
                    var b = buffer[i];
                    matched = b == (matched is 0 or 2 ? (byte)'\r' : (byte)'\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (matched < 4) continue;
                    matched = 0;
                    socket.Send(Response);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the proxy closed the connection (shutdown)
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
    }
}
