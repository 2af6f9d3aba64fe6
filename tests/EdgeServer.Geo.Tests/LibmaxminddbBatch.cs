using System.Diagnostics;

namespace EdgeServer.Geo.Tests;

/// <summary>
/// libmaxminddb's answers in bulk: perf/geo/mmdb_country.c in its <c>lookup</c> mode (MMDB_lookup_string, the call
/// mmdblookup makes), built once per test run. mmdblookup itself takes one address per process (about 2.5 ms
/// each), too slow for 200k addresses on a shared 2-core machine; the tests check this tool against mmdblookup too.
/// </summary>
internal static class LibmaxminddbBatch
{
    private static readonly Lazy<string> Binary = new(Build);

    /// <summary>libmaxminddb's answer for one address: found, netmask (IPv6 bits in an IPv6 tree), the string at the path or null.</summary>
    public readonly record struct Answer(bool Found, int Netmask, string? Value);

    public static Dictionary<string, Answer> Lookup(string database, IReadOnlyList<string> addresses, params string[] path)
    {
        var start = new ProcessStartInfo(Binary.Value) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["lookup", database, .. path]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var writer = Task.Run(() =>
        {
            foreach (string address in addresses) process.StandardInput.WriteLine(address);
            process.StandardInput.Close();
        });
        var answers = new Dictionary<string, Answer>(addresses.Count, StringComparer.Ordinal);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var f = line.Split(' ');
            if (f[1] == "error") throw new InvalidOperationException($"libmaxminddb: {line}");
            answers[f[0]] = new Answer(f[1] == "1", int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3] == "-" ? null : f[3]);
        }
        writer.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"mmdb_country exited {process.ExitCode}: {process.StandardError.ReadToEnd()}");
        return answers;
    }

    private static string Build()
    {
        string source = Path.Combine(RepositoryRoot(), "perf", "geo", "mmdb_country.c");
        string output = Path.Combine(Path.GetTempPath(), $"edge-mmdb-country-{Environment.ProcessId}");
        var cc = Process.Start(new ProcessStartInfo("cc", ["-O2", "-o", output, source, "-lmaxminddb"]) { RedirectStandardError = true })!;
        string errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        if (cc.ExitCode != 0) throw new InvalidOperationException($"cc {source} failed (needs libmaxminddb-dev): {errors}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("EdgeServer.sln not found above the test binaries");
    }
}
