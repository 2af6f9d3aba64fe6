using EdgeServer.Config.Model;
using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class AccessLogSinkTests
{
    [Fact]
    public async Task Writes_json_lines_to_the_file_and_flushes_them_on_dispose()
    {
        using var dir = new TempDirectory();
        string path = dir.File("access.log");
        var sink = new AccessLogSink(new AccessLogConfig { Path = path });

        for (int i = 0; i < 100; i++)
        {
            AccessLogTestEntries.WriteTypical(sink, i);
        }
        await sink.DisposeAsync();

        string[] lines = AccessLogTestEntries.Lines(await File.ReadAllTextAsync(path));
        Assert.Equal(100, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Equal($"req-{i}", AccessLogTestEntries.Parse(lines[i]).GetProperty("request_id").GetString());
        }
        Assert.Equal(0, sink.Dropped);
    }

    [Fact]
    public async Task Appends_to_an_existing_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("access.log");
        await File.WriteAllTextAsync(path, "{\"earlier\":true}\n");

        await using (var sink = new AccessLogSink(new AccessLogConfig { Path = path }))
        {
            AccessLogTestEntries.WriteTypical(sink, 1);
        }

        string[] lines = AccessLogTestEntries.Lines(await File.ReadAllTextAsync(path));
        Assert.Equal(2, lines.Length);
        Assert.Equal("{\"earlier\":true}", lines[0]);
    }

    [Fact]
    public async Task Lines_reach_the_file_within_the_flush_interval_without_any_flush_call()
    {
        using var dir = new TempDirectory();
        string path = dir.File("access.log");
        await using var sink = new AccessLogSink(new AccessLogConfig { Path = path });

        AccessLogTestEntries.WriteTypical(sink, 7);

        string text = "";
        for (int attempt = 0; attempt < 100 && text.Length == 0; attempt++)
        {
            await Task.Delay(20);
            text = await ReadSharedAsync(path);
        }
        Assert.Equal("req-7", AccessLogTestEntries.Parse(text.TrimEnd('\n')).GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task A_missing_directory_is_reported_clearly_and_not_created()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "missing", "access.log");

        var error = Assert.Throws<DirectoryNotFoundException>(() => new AccessLogSink(new AccessLogConfig { Path = path }));

        Assert.Contains(Path.Combine(dir.Path, "missing"), error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "missing")));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_disabled_sink_writes_nothing_and_opens_no_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("access.log");

        await using (var sink = new AccessLogSink(new AccessLogConfig { Enabled = false, Path = path }))
        {
            AccessLogTestEntries.WriteTypical(sink, 1);
            sink.Reopen();
            sink.Flush();
            Assert.Equal(0, sink.Dropped);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task When_the_writer_falls_behind_records_are_dropped_and_counted_never_waited_for()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        using var output = new GatedStream();
        var sink = new AccessLogSink(new AccessLogConfig(), metrics, bufferBytes: 4096, TimeSpan.FromMilliseconds(10), output);
        const int Records = 200;

        for (int i = 0; i < Records; i++)
        {
            AccessLogTestEntries.WriteTypical(sink, i);
        }
        long droppedWhileBlocked = sink.Dropped;
        output.Open();
        await sink.DisposeAsync();

        string[] lines = AccessLogTestEntries.Lines(output.Text());
        Assert.True(droppedWhileBlocked > 0);
        Assert.Equal(Records, lines.Length + sink.Dropped);
        Assert.All(lines, line => AccessLogTestEntries.Parse(line));
        Assert.Equal(sink.Dropped, MetricsTestOutput.Scrape(metrics).Single("edge_access_log_dropped_total"));
    }

    [Fact]
    public async Task Records_lost_to_a_failing_write_are_counted_and_the_error_kept()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        using var output = new FailingStream();
        var sink = new AccessLogSink(new AccessLogConfig(), metrics, 64 * 1024, TimeSpan.FromHours(1), output);

        for (int i = 0; i < 3; i++)
        {
            AccessLogTestEntries.WriteTypical(sink, i);
        }
        sink.Flush();
        AccessLogTestEntries.WriteTypical(sink, 3);
        await sink.DisposeAsync();

        Assert.Equal(4, sink.Dropped);
        Assert.IsType<IOException>(sink.LastError);
        Assert.Equal(4, MetricsTestOutput.Scrape(metrics).Single("edge_access_log_dropped_total"));
    }

    [Fact]
    public async Task Records_written_after_dispose_are_counted_as_dropped()
    {
        using var output = new MemoryStream();
        var sink = new AccessLogSink(new AccessLogConfig(), metrics: null, 4096, TimeSpan.FromMilliseconds(10), output);
        await sink.DisposeAsync();

        AccessLogTestEntries.WriteTypical(sink, 1);

        Assert.Equal(1, sink.Dropped);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task Reopen_after_the_file_was_moved_writes_to_a_new_file_at_the_path()
    {
        using var dir = new TempDirectory();
        string path = dir.File("access.log");
        string rotated = dir.File("access.log.1");
        await using var sink = new AccessLogSink(new AccessLogConfig { Path = path }, metrics: null, 64 * 1024, TimeSpan.FromHours(1), output: null);

        AccessLogTestEntries.WriteTypical(sink, 1);
        sink.Flush();
        File.Move(path, rotated);
        AccessLogTestEntries.WriteTypical(sink, 2);
        sink.Flush();   // still the moved file, as with logrotate before its postrotate hook
        sink.Reopen();
        AccessLogTestEntries.WriteTypical(sink, 3);
        sink.Flush();

        Assert.Equal(["req-1", "req-2"], RequestIds(await ReadSharedAsync(rotated)));
        Assert.Equal(["req-3"], RequestIds(await ReadSharedAsync(path)));
        Assert.Null(sink.LastError);
    }

    [Fact]
    public async Task Concurrent_writers_produce_only_whole_valid_lines()
    {
        using var output = new GatedStream();
        output.Open();
        var sink = new AccessLogSink(new AccessLogConfig(), metrics: null, 64 * 1024, TimeSpan.FromMilliseconds(5), output);
        const int Threads = 4;
        const int PerThread = 5_000;

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                AccessLogTestEntries.WriteTypical(sink, (t * PerThread) + i);
            }
        })).ToArray();
        foreach (Thread worker in workers) worker.Start();
        foreach (Thread worker in workers) worker.Join();
        await sink.DisposeAsync();

        string[] lines = AccessLogTestEntries.Lines(output.Text());
        Assert.Equal(Threads * PerThread, lines.Length + sink.Dropped);
        var ids = lines.Select(l => AccessLogTestEntries.Parse(l).GetProperty("request_id").GetString()).ToHashSet();
        Assert.Equal(lines.Length, ids.Count);
    }

    [Fact]
    public async Task Write_allocates_nothing_after_warm_up()
    {
        var sink = new AccessLogSink(new AccessLogConfig(), metrics: null, AccessLogSink.DefaultBufferBytes, AccessLogSink.DefaultFlushInterval, Stream.Null);
        var v6 = System.Net.IPAddress.Parse("2001:db8::7");
        for (int i = 0; i < 1_000; i++)
        {
            AccessLogTestEntries.WriteTypical(sink, i);
            AccessLogTestEntries.WriteTypical(sink, i, v6);
        }

        // A lock's first contention with the flusher thread may allocate once (lazily, in the runtime: a few KB
        // on a loaded machine); an allocation per write would show in every round: 20,000 writes of even 24 B is ~480 KB.
        var rounds = new[] { MeasureWrites(sink, v6, 20_000), MeasureWrites(sink, v6, 20_000), MeasureWrites(sink, v6, 20_000) };

        await sink.DisposeAsync();
        Assert.Equal(0, rounds.Min());
        Assert.True(rounds.Sum() < 64 * 1024, $"allocated {string.Join(", ", rounds)} bytes in three rounds of 20,000 writes");
    }

    private static long MeasureWrites(AccessLogSink sink, System.Net.IPAddress v6, int count)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++)
        {
            AccessLogTestEntries.WriteTypical(sink, i, (i & 1) == 0 ? null : v6);
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static string[] RequestIds(string text) =>
        AccessLogTestEntries.Lines(text).Select(l => AccessLogTestEntries.Parse(l).GetProperty("request_id").GetString()!).ToArray();

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
