using System.Diagnostics;
using System.Net;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Bodies stream through without being buffered: 1 GiB each way while the process's memory stays flat.</summary>
public sealed class StreamingTests
{
    private const long Size = 1024L * 1024 * 1024;

    /// <summary>Generates bytes on the fly so the client holds no payload either.</summary>
    private sealed class GeneratedContent(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'u');
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }

    [Fact]
    public async Task Upload_and_download_of_1GiB_keep_memory_flat()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, routeExtra: "    maxBodyBytes: 1GiB"));
        using var http = edge.CreateClient();
        http.Timeout = TimeSpan.FromMinutes(2);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                using var self = Process.GetCurrentProcess();
                peak = Math.Max(peak, self.WorkingSet64);
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        using (var upload = await http.PostAsync("/count", new GeneratedContent(Size)))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), await upload.Content.ReadAsStringAsync());
        }

        using (var download = await http.GetAsync($"/big/{Size}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            await using var body = await download.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0) total += n;
            Assert.Equal(Size, total);
        }

        await sampling.CancelAsync();
        await sampler;
        // Client, proxy and backend all run in this process; 2 GiB went through. Buffering either body
        // would add at least 1 GiB; pipes and pools stay within a few tens of MB.
        var growthMb = (peak - baseline) / (1024 * 1024);
        Assert.True(growthMb < 60, $"working set grew by {growthMb} MB while streaming");
    }
}
