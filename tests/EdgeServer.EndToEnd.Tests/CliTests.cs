using System.Diagnostics;
using System.Net.Http;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>The `edge` executable itself, run as operators run it.</summary>
public sealed class CliTests
{
    private static string EdgeDll => Path.Combine(AppContext.BaseDirectory, "edge.dll");

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(EdgeDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (exit, stdout, _) = await RunAsync("version");
        Assert.Equal(0, exit);
        Assert.StartsWith("edge ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_accepts_the_shipped_default_config()
    {
        // The shipped file names certs/dev beside it, as a copy next to `edge certs dev` output does.
        var directory = Directory.CreateTempSubdirectory("edge-validate-").FullName;
        try
        {
            var config = Path.Combine(directory, "edge.yaml");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "edge.yaml"), config);
            var missing = await RunAsync("validate", "--config", config);
            Assert.Equal(1, missing.Exit);
            Assert.Contains("file not found: " + Path.Combine(directory, "certs", "dev", "ca.crt"), missing.Err, StringComparison.Ordinal);

            var certs = await RunAsync("certs", "dev", "--out", Path.Combine(directory, "certs", "dev"));
            Assert.True(certs.Exit == 0, certs.Err);
            var (exit, stdout, stderr) = await RunAsync("validate", "--config", config);
            Assert.True(exit == 0, stderr);
            Assert.Contains(": ok", stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_reports_every_error_with_file_line_and_column_and_exits_1()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, """
            listeners:
              - name: public
                address: 127.0.0.1:99999
            routes:
              - name: r
                match:
                  path: nope
                cluster: missing
            clusters: []
            """);
        try
        {
            var (exit, _, stderr) = await RunAsync("validate", "--config", path);
            Assert.Equal(1, exit);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length >= 3, stderr);
            Assert.All(lines, l => Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(path)}:\\d+:\\d+: ", l));
            Assert.Contains(lines, l => l.Contains(":3:", StringComparison.Ordinal) && l.Contains("99999", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains(":8:", StringComparison.Ordinal) && l.Contains("missing", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Certs_dev_writes_the_set_prints_the_curl_line_and_refuses_to_overwrite_without_force()
    {
        var dir = Directory.CreateTempSubdirectory("edge-certs-").FullName;
        var outDir = Path.Combine(dir, "dev");
        try
        {
            var (exit, stdout, stderr) = await RunAsync("certs", "dev", "--out", outDir);
            Assert.True(exit == 0, stderr);
            Assert.Contains($"curl --cacert {outDir}/ca.crt --cert {outDir}/client-alice.crt --key {outDir}/client-alice.key https://localhost:8443/", stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(outDir, "ca.crl")));
            var ca = await File.ReadAllTextAsync(Path.Combine(outDir, "ca.crt"));

            (exit, _, stderr) = await RunAsync("certs", "dev", "--out", outDir);
            Assert.Equal(1, exit);
            Assert.Contains("--force", stderr, StringComparison.Ordinal);
            Assert.Equal(ca, await File.ReadAllTextAsync(Path.Combine(outDir, "ca.crt")));

            (exit, _, stderr) = await RunAsync("certs", "dev", "--out", outDir, "--force");
            Assert.True(exit == 0, stderr);
            Assert.NotEqual(ca, await File.ReadAllTextAsync(Path.Combine(outDir, "ca.crt")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_with_a_config_file_serves_and_reloads_on_SIGHUP_then_stops_on_SIGTERM()
    {
        var port = FreePort();
        var admin = FreePort();
        var path = Path.Combine(Path.GetTempPath(), $"edge-run-{Guid.NewGuid():N}.yaml");
        string Config(string body) => $"""
            listeners:
              - name: public
                address: 127.0.0.1:{port}
            admin:
              address: 127.0.0.1:{admin}
            routes:
              - name: hello
                match:
                  path: /
                mock:
                  body: "{body}"
            clusters: []
            accessLog:
              enabled: false
            """;
        await File.WriteAllTextAsync(path, Config("one"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(EdgeDll);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Equal("one", await RetryAsync(() => http.GetStringAsync($"http://127.0.0.1:{port}/")));

            await File.WriteAllTextAsync(path + ".next", Config("two"));
            File.Move(path + ".next", path, overwrite: true);   // atomic replace, as deploy tools do
            Assert.Equal("two", await RetryAsync(async () =>
            {
                var body = await http.GetStringAsync($"http://127.0.0.1:{port}/");
                return body == "two" ? body : throw new InvalidOperationException("not reloaded yet");
            }));

            await File.WriteAllTextAsync(path, Config("three"));
            using (var kill = Process.Start("kill", ["-HUP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            Assert.Equal("three", await RetryAsync(async () =>
            {
                var body = await http.GetStringAsync($"http://127.0.0.1:{port}/");
                return body == "three" ? body : throw new InvalidOperationException("not reloaded yet");
            }));
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            File.Delete(path);
        }
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("config generation 2 applied", await output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_arguments_serves_the_embedded_default_config()
    {
        // The README's promise: `edge run` and then these curl lines work. Ports are the documented ones.
        // From an empty directory, as on a fresh clone: the dev PKI for the mTLS listener is written there.
        var directory = Directory.CreateTempSubdirectory("edge-run-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(EdgeDll);
        start.ArgumentList.Add("run");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var greeting = await RetryAsync(() => http.GetStringAsync("http://127.0.0.1:8080/"));
            Assert.Contains("Hello from EdgeServer", greeting, StringComparison.Ordinal);

            using var echo = await http.PostAsync("http://127.0.0.1:8080/echo/x", new StringContent("hi"));
            var echoed = await echo.Content.ReadAsStringAsync();
            Assert.Contains("\"path\": \"/echo/x\"", echoed, StringComparison.Ordinal);
            Assert.Contains("\"body\": \"hi\"", echoed, StringComparison.Ordinal);

            Assert.Contains("edge_requests_total", await http.GetStringAsync("http://127.0.0.1:9901/metrics"), StringComparison.Ordinal);

            // The README's mTLS line, run from the same directory.
            var (curlExit, curlOut, curlErr) = await ExternalTool.RunAsync("curl", ["-sS", "--max-time", "20", "--cacert", "certs/dev/ca.crt",
                "--cert", "certs/dev/client-alice.crt", "--key", "certs/dev/client-alice.key", "https://localhost:8443/echo/x"], workingDirectory: directory);
            Assert.True(curlExit == 0, curlErr);
            Assert.Contains("\"X-Client-Cert-Subject\": \"CN=alice, O=EdgeServer Dev\"", curlOut, StringComparison.Ordinal);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Directory.Delete(directory, recursive: true);
        }
        Assert.Contains("wrote the development PKI", await output, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (i < 150)
            {
                await Task.Delay(100);
            }
        }
    }
}
