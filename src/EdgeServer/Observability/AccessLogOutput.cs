namespace EdgeServer.Observability;

/// <summary>
/// Where batches go: stdout, a file opened for append, or (tests, benchmarks) a given stream.
/// Used by the flusher only, one call at a time.
/// </summary>
internal sealed class AccessLogOutput : IAsyncDisposable
{
    private readonly string? _filePath;
    private readonly bool _ownsStream;
    private Stream? _stream;

    private AccessLogOutput(string? filePath, Stream? stream, bool ownsStream)
    {
        _filePath = filePath;
        _stream = stream;
        _ownsStream = ownsStream;
    }

    public static AccessLogOutput Stdout() => new(null, Console.OpenStandardOutput(), ownsStream: true);

    public static AccessLogOutput Of(Stream stream) => new(null, stream, ownsStream: false);

    /// <summary>Opens <paramref name="path"/> for append now, so a bad path fails at startup or reload, not silently later.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist (it is not created: a typo should not grow a tree).</exception>
    public static AccessLogOutput File(string path)
    {
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"Access log directory '{directory}' does not exist (access log path '{path}'); create it or change the path.");
        }
        return new AccessLogOutput(fullPath, OpenFile(fullPath), ownsStream: true);
    }

    /// <summary>
    /// Closes the file and opens the path again, so writes follow a rotation (the old file was moved
    /// away). No-op for stdout and given streams. Rotate by moving the file, not by copy-and-truncate:
    /// .NET keeps its own write position, it does not open with O_APPEND.
    /// </summary>
    public async ValueTask ReopenAsync()
    {
        if (_filePath is null)
        {
            return;
        }
        await CloseFileAsync().ConfigureAwait(false);
        _stream = OpenFile(_filePath);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> batch)
    {
        if (_stream is null)
        {
            // A previous write or reopen failed: try the path again rather than give up for good.
            _stream = OpenFile(_filePath!);
        }
        try
        {
            await _stream.WriteAsync(batch).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException) when (_filePath is not null)
        {
            await CloseFileAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream && _stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        _stream = null;
    }

    private async ValueTask CloseFileAsync()
    {
        Stream? stream = _stream;
        _stream = null;
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static FileStream OpenFile(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        // Readers (tail -f) and rotation (rename, delete) must work while the file is open.
        Share = FileShare.ReadWrite | FileShare.Delete,
        // Batches are already large; a FileStream buffer would only add a copy.
        BufferSize = 0,
    });
}
