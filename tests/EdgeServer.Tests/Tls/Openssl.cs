using System.Diagnostics;

namespace EdgeServer.Tests.Tls;

/// <summary>Runs the real openssl binary (scripts/test.sh installs it) and captures what it says.</summary>
internal static class Openssl
{
    public static (int Exit, string Output) Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"openssl {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs openssl and fails the test with its output unless it succeeds.</summary>
    public static string Ok(string workingDirectory, params string[] args)
    {
        var (exit, output) = Run(workingDirectory, args);
        Assert.True(exit == 0, $"openssl {string.Join(' ', args)} exited {exit}:\n{output}");
        return output;
    }
}
