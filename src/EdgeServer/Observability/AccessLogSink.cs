using System.Numerics;
using EdgeServer.Config.Model;

namespace EdgeServer.Observability;

/// <summary>
/// JSON-lines access log. The data path formats a record into a buffer and returns at once; a
/// background task writes batches to stdout or a file. When the writer falls behind, records are
/// dropped and counted rather than ever blocking a request.
/// </summary>
/// <remarks>
/// Write formats on the calling thread into a per-thread scratch array (grown to the largest line
/// seen, then reused: no allocation in steady state) and copies the line into
/// <see cref="AccessLogBuffer"/> under a short lock. The flusher writes a batch every
/// <see cref="DefaultFlushInterval"/>, or sooner once half the buffer is used.
/// </remarks>
internal sealed class AccessLogSink : IAsyncDisposable
{
    /// <summary>Per half of the double buffer: ~8,000 typical lines, a second of a busy edge between flushes, 4 MiB in all.</summary>
    internal const int DefaultBufferBytes = 2 * 1024 * 1024;

    /// <summary>Lines reach the file within this time under light load, so `tail -f` feels live.</summary>
    internal static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromMilliseconds(100);

    [ThreadStatic] private static byte[]? t_scratch;

    private readonly AccessLogBuffer? _buffer;
    private readonly AccessLogOutput? _output;
    private readonly EdgeMetrics? _metrics;
    private readonly int _earlyFlushBytes;
    // Plain WaitAsync() only: releasing a waiter that has a timeout or a token allocates on the
    // releasing thread (a request thread here); the interval comes from a timer releasing instead.
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly Timer? _intervalTimer;
    private readonly Task _flusher = Task.CompletedTask;
    private long _dropped;
    private int _wakeRequested;
    private int _reopenRequested;
    private int _disposed;
    private volatile bool _stopping;
    private Exception? _lastError;

    public AccessLogSink(AccessLogConfig config) : this(config, metrics: null) { }

    /// <param name="metrics">Receives every dropped record (edge_access_log_dropped_total), so the count survives a sink replaced on reload.</param>
    /// <exception cref="DirectoryNotFoundException">The log file's directory does not exist.</exception>
    public AccessLogSink(AccessLogConfig config, EdgeMetrics? metrics)
        : this(config, metrics, DefaultBufferBytes, DefaultFlushInterval, output: null) { }

    /// <summary>For tests and benchmarks: buffer size, flush cadence and an output stream instead of the configured path.</summary>
    internal AccessLogSink(AccessLogConfig config, EdgeMetrics? metrics, int bufferBytes, TimeSpan flushInterval, Stream? output)
    {
        ArgumentNullException.ThrowIfNull(config);
        _metrics = metrics;
        if (!config.Enabled)
        {
            return;
        }
        _output = output is not null ? AccessLogOutput.Of(output)
            : string.Equals(config.Path, "stdout", StringComparison.OrdinalIgnoreCase) ? AccessLogOutput.Stdout()
            : AccessLogOutput.File(config.Path);
        _buffer = new AccessLogBuffer(bufferBytes);
        _earlyFlushBytes = bufferBytes / 2;
        _flusher = Task.Run(RunFlusherAsync);
        _intervalTimer = new Timer(static state => ((AccessLogSink)state!).Wake(), this, flushInterval, flushInterval);
    }

    /// <summary>Records lost since this sink started: buffer full, sink disposed, or write failed.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>The last error writing or reopening the file (the sink keeps going and retries); null if none.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    public void Write(in AccessLogEntry entry)
    {
        AccessLogBuffer? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        int maxLength = AccessLogFormatter.MaxLength(entry);
        byte[]? scratch = t_scratch;
        if (scratch is null || scratch.Length < maxLength)
        {
            t_scratch = scratch = new byte[BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxLength, 1024))];
        }
        int length = AccessLogFormatter.Format(entry, scratch);

        if (!buffer.TryAppend(scratch.AsSpan(0, length), out int buffered))
        {
            CountDropped(1);
            return;
        }
        if (buffered >= _earlyFlushBytes)
        {
            Wake();
        }
    }

    /// <summary>
    /// Closes and reopens the log file at its configured path (after logrotate moved it away); call on
    /// reload / SIGHUP. Returns at once: the flusher reopens before its next batch, so lines buffered
    /// before the call may land in the new file.
    /// </summary>
    public void Reopen()
    {
        if (_buffer is null)
        {
            return;
        }
        Volatile.Write(ref _reopenRequested, 1);
        Wake();
    }

    /// <summary>Writes out everything buffered so far (and performs a pending reopen).</summary>
    public async Task FlushAsync()
    {
        if (_buffer is null)
        {
            return;
        }
        await _flushing.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushOnceAsync(_buffer, _output!).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Stops accepting records (later ones count as dropped), writes what is pending and closes the output.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _buffer is null)
        {
            return;
        }
        _buffer.Close();
        await _intervalTimer!.DisposeAsync().ConfigureAwait(false);
        _stopping = true;
        _wake.Release();
        await _flusher.ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        await _output!.DisposeAsync().ConfigureAwait(false);
        // The semaphores are not disposed: a racing Write may still Release _wake, and they hold no OS handle.
    }

    /// <summary>Asks the flusher for a batch; at most one release is outstanding however many writers ask.</summary>
    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            _wake.Release();
        }
    }

    private async Task RunFlusherAsync()
    {
        while (true)
        {
            await _wake.WaitAsync().ConfigureAwait(false);
            Volatile.Write(ref _wakeRequested, 0);
            if (_stopping)
            {
                return;
            }
            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task FlushOnceAsync(AccessLogBuffer buffer, AccessLogOutput output)
    {
        if (Interlocked.Exchange(ref _reopenRequested, 0) == 1)
        {
            try
            {
                await output.ReopenAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left closed: the next write retries the path.
                Volatile.Write(ref _lastError, e);
            }
        }

        ReadOnlyMemory<byte> batch = buffer.TakeBatch();
        if (batch.IsEmpty)
        {
            return;
        }
        try
        {
            await output.WriteAsync(batch).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Volatile.Write(ref _lastError, e);
            CountDropped(batch.Span.Count((byte)'\n'));
        }
    }

    private void CountDropped(long records)
    {
        Interlocked.Add(ref _dropped, records);
        _metrics?.AccessLogRecordsDropped(records);
    }
}
