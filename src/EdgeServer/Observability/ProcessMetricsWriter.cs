using System.Diagnostics;

namespace EdgeServer.Observability;

/// <summary>
/// The process and runtime figures every Prometheus client library exposes (standard names), read
/// at scrape time from the runtime; nothing is recorded on the data path.
/// </summary>
internal static class ProcessMetricsWriter
{
    private static readonly double s_startTimeSeconds = ReadStartTimeSeconds();

    public static void Write(PrometheusTextWriter writer)
    {
        writer.WriteFamily("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
        writer.BeginSample("process_cpu_seconds_total");
        writer.EndSample(Environment.CpuUsage.TotalTime.TotalSeconds);

        writer.WriteFamily("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
        writer.BeginSample("process_resident_memory_bytes");
        writer.EndSample(Environment.WorkingSet);

        writer.WriteFamily("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge");
        writer.BeginSample("process_start_time_seconds");
        writer.EndSample(s_startTimeSeconds);

        writer.WriteFamily("dotnet_gc_heap_size_bytes", "Managed heap size in bytes after the last garbage collection.", "gauge");
        writer.BeginSample("dotnet_gc_heap_size_bytes");
        writer.EndSample(GC.GetGCMemoryInfo().HeapSizeBytes);

        writer.WriteFamily("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", "counter");
        writer.BeginSample("dotnet_gc_allocated_bytes_total");
        writer.EndSample(GC.GetTotalAllocatedBytes(precise: false));

        writer.WriteFamily("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", "counter");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            writer.BeginSample("dotnet_gc_collections_total");
            writer.AddLabel("generation", GenerationLabel(generation));
            writer.EndSample(GC.CollectionCount(generation));
        }

        writer.WriteFamily("dotnet_threadpool_threads", "Thread pool threads currently alive.", "gauge");
        writer.BeginSample("dotnet_threadpool_threads");
        writer.EndSample(ThreadPool.ThreadCount);

        writer.WriteFamily("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.", "gauge");
        writer.BeginSample("dotnet_threadpool_queue_length");
        writer.EndSample(ThreadPool.PendingWorkItemCount);
    }

    private static string GenerationLabel(int generation) => generation switch
    {
        0 => "0",
        1 => "1",
        2 => "2",
        _ => generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static double ReadStartTimeSeconds()
    {
        using Process self = Process.GetCurrentProcess();
        return (self.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
    }
}
