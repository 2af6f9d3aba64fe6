namespace EdgeServer.Connections;

/// <summary>A response the edge wrote itself (mock or error), waiting to be flushed and logged.</summary>
internal readonly record struct LocalAnswer(int Status, string? Error, long BytesOut, bool KeepAlive);
