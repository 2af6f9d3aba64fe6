using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using EdgeServer.Config.Model;

namespace EdgeServer.Tests.Upstream;

/// <summary>
/// A loopback backend the test controls: counts accepts and hands accepted sockets to the test
/// (raw mode), or answers every request with <see cref="HttpStatus"/> and closes (HTTP mode, for probes).
/// It can stop and restart listening on the same port.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>();
    private readonly List<Socket> _sockets = [];
    private TcpListener _listener;
    private Task _acceptLoop;
    private int _accepts;
    private volatile int _httpStatus;

    public TestBackend(int? httpStatus = null)
    {
        _httpStatus = httpStatus ?? 0;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    public int Port { get; }
    public DnsOrIpEndPoint EndPoint => new("127.0.0.1", Port);
    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>0 = raw mode; otherwise the status every request is answered with.</summary>
    public int HttpStatus { get => _httpStatus; set => _httpStatus = value; }

    public async Task<Socket> NextAcceptedAsync() => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(Eventually.Limit);

    public async Task StopListeningAsync()
    {
        _listener.Stop();
        await _acceptLoop;
    }

    public void StartListening()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_listener);
    }

    /// <summary>Reads from a backend-side socket until the proxy closes it (0 bytes or reset).</summary>
    public static async Task AssertClosedByPeerAsync(Socket socket)
    {
        var buffer = new byte[64];
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Eventually.Limit);
            Assert.Equal(0, read);
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped (InvalidOperationException: stopped between two accepts)
            }
            Interlocked.Increment(ref _accepts);
            lock (_sockets) _sockets.Add(socket);
            if (_httpStatus == 0) _accepted.Writer.TryWrite(socket);
            else _ = AnswerAsync(socket);
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        try
        {
            var buffer = new byte[4096];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
                if (read == 0) return;
                length += read;
                if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0) break;
            }
            var status = _httpStatus;
            var response = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(response, SocketFlags.None);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The prober gave up; fine.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
        }
    }
}
