using EdgeServer.Config.Model;

namespace EdgeServer.Observability;

/// <summary>
/// JSON-lines access log. The data path formats a record into a buffer and returns at once; a
/// background task writes batches to stdout or a file. When the writer falls behind, records are
/// dropped and counted rather than ever blocking a request.
/// </summary>
internal sealed class AccessLogSink : IAsyncDisposable
{
    public AccessLogSink(AccessLogConfig config) { _ = config; }

    public long Dropped => throw new NotImplementedException();

    public void Write(in AccessLogEntry entry) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
