namespace EdgeServer.Observability;

/// <summary>
/// Where batches go: stdout, a file opened for append, or (tests, benchmarks) a given stream.
/// Used by the flusher thread only, one call at a time; writes are synchronous (file writes block on
/// Linux whatever the API, and the flusher has its own thread).
/// </summary>
internal sealed class AccessLogOutput : IDisposable
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
    public void Reopen()
    {
        if (_filePath is null)
        {
            return;
        }
        CloseFile();
        _stream = OpenFile(_filePath);
    }

    public void Write(ReadOnlySpan<byte> batch)
    {
        if (_stream is null)
        {
            // A previous write or reopen failed: try the path again rather than give up for good.
            _stream = OpenFile(_filePath!);
        }
        try
        {
            _stream.Write(batch);
            _stream.Flush();
        }
        catch (IOException) when (_filePath is not null)
        {
            CloseFile();
            throw;
        }
    }

    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream?.Dispose();
        }
        _stream = null;
    }

    private void CloseFile()
    {
        Stream? stream = _stream;
        _stream = null;
        stream?.Dispose();
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
