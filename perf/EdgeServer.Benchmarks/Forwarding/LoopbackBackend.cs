using System.Net;
using System.Net.Sockets;

namespace EdgeServer.Benchmarks.Forwarding;

/// <summary>
/// The smallest keep-alive HTTP/1.1 origin: it answers every request, once its body (Content-Length or chunked) has
/// arrived, with a fixed 13-byte "Hello, World!". One blocking thread per connection with reused buffers, so
/// it allocates nothing per request: MemoryDiagnoser counts the whole process, and only the proxy's
/// allocations may show.
/// </summary>
internal sealed class LoopbackBackend : IDisposable
{
    /// <summary>Sent after a head that carries "Expect: 100-continue".</summary>
    public static ReadOnlySpan<byte> Continue => "HTTP/1.1 100 Continue\r\n\r\n"u8;

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
        var head = new byte[4 * 1024];
        var parser = new RequestFramer(head);
        try
        {
            while (true)
            {
                var n = socket.Receive(buffer.AsSpan());
                if (n == 0) return;
                for (var i = 0; i < n;)
                {
                    i += parser.Consume(buffer.AsSpan(i, n - i), out var requestEnded);
                    if (parser.TakeContinue()) socket.Send(Continue);
                    if (requestEnded) socket.Send(Response);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the proxy closed the connection (shutdown)
        }
    }

    /// <summary>
    /// Finds where each request ends, across reads, without allocating: the head ends at its blank line; a
    /// Content-Length body is skipped by count; a chunked body ends at "\r\n0\r\n\r\n" (enough for the
    /// benchmark's bodies, whose data holds no CR, and which carry no chunk extensions or trailers).
    /// </summary>
    private struct RequestFramer(byte[] head)
    {
        private static ReadOnlySpan<byte> ChunkedEnd => "\r\n0\r\n\r\n"u8;
        private int _headLength;
        private int _matched;      // how much of the terminator being looked for the bytes so far end with
        private long _remaining;   // Content-Length bytes still to skip
        private bool _inBody;
        private bool _chunked;
        private bool _continue;

        /// <summary>Whether the head just ended asked for "100 Continue" (answered once).</summary>
        public bool TakeContinue()
        {
            var c = _continue;
            _continue = false;
            return c;
        }

        /// <summary>Consumes bytes up to the end of the current request at most; returns how many.</summary>
        public int Consume(ReadOnlySpan<byte> bytes, out bool requestEnded)
        {
            requestEnded = false;
            if (_inBody && !_chunked)
            {
                var take = (int)Math.Min(_remaining, bytes.Length);
                _remaining -= take;
                if (_remaining == 0) EndRequest(ref requestEnded);
                return take;
            }
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                if (!_inBody)
                {
                    if (_headLength < head.Length) head[_headLength++] = b;
                    _matched = b == (_matched is 0 or 2 ? (byte)'\r' : (byte)'\n') ? _matched + 1 : (b == '\r' ? 1 : 0);
                    if (_matched < 4) continue;
                    _matched = 0;
                    StartBody();
                    if (!_inBody) EndRequest(ref requestEnded);
                    return i + 1;
                }
                _matched = b == ChunkedEnd[_matched] ? _matched + 1 : (b == '\r' ? 1 : 0);
                if (_matched < ChunkedEnd.Length) continue;
                EndRequest(ref requestEnded);
                return i + 1;
            }
            return bytes.Length;
        }

        private void StartBody()
        {
            var text = head.AsSpan(0, _headLength);
            _chunked = IndexOfIgnoreCase(text, "\r\ntransfer-encoding: chunked"u8) >= 0;
            _remaining = 0;
            var at = IndexOfIgnoreCase(text, "\r\ncontent-length:"u8);
            if (at >= 0)
            {
                for (var i = at + 17; i < text.Length && text[i] != '\r'; i++)
                {
                    if (text[i] is >= (byte)'0' and <= (byte)'9') _remaining = _remaining * 10 + (text[i] - '0');
                }
            }
            _inBody = _chunked || _remaining > 0;
            _continue = _inBody && IndexOfIgnoreCase(text, "\r\nexpect: 100-continue"u8) >= 0;
            // The chunked terminator starts with the CRLF that ends the first chunk's data, and the
            // head's final CRLF must not count towards it.
            _matched = 0;
        }

        private void EndRequest(ref bool requestEnded)
        {
            requestEnded = true;
            _inBody = false;
            _chunked = false;
            _headLength = 0;
            _matched = 0;
        }

        private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerNeedle)
        {
            for (var i = 0; i + lowerNeedle.Length <= text.Length; i++)
            {
                var j = 0;
                while (j < lowerNeedle.Length && (text[i + j] | (text[i + j] is >= (byte)'A' and <= (byte)'Z' ? 0x20 : 0)) == lowerNeedle[j]) j++;
                if (j == lowerNeedle.Length) return i;
            }
            return -1;
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
    }
}
