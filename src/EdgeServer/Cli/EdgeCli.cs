using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using EdgeServer.Config;
using EdgeServer.Hosting;
using EdgeServer.Tls.Pki;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Cli;

/// <summary>The `edge` command line: run, validate, certs, waf, geo, keys, version.</summary>
internal static class EdgeCli
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("EdgeServer: a high-performance edge server and API gateway.");

        var runConfig = new Option<FileInfo?>("--config", "-c") { Description = "YAML config file (default: the embedded config, see config/edge.yaml)" };
        var run = new Command("run", "Run the server in the foreground until SIGINT/SIGTERM; SIGHUP or a file change reloads the config.") { runConfig };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(runConfig), ct));

        var validateConfig = new Option<FileInfo>("--config", "-c") { Description = "YAML config file to check", Required = true };
        var validate = new Command("validate", "Check a config file; exit 0 when valid, 1 with file:line:column errors otherwise.") { validateConfig };
        validate.SetAction(parse => Validate(parse.GetValue(validateConfig)!));

        var certsOut = new Option<string>("--out", "-o") { Description = "Directory to write the set into", DefaultValueFactory = _ => DevCertificates.DefaultDirectory };
        var certsForce = new Option<bool>("--force") { Description = "Replace an existing set" };
        var certsDev = new Command("dev", "Write the development PKI: a dev CA, a localhost server certificate, client certificates (good and deliberately bad) and a CRL.") { certsOut, certsForce };
        certsDev.SetAction(parse => CertsDevCommand.Run(parse.GetValue(certsOut)!, parse.GetValue(certsForce)));
        var certs = new Command("certs", "Certificates for TLS listeners.") { certsDev };

        var version = new Command("version", "Print the version.");
        version.SetAction(_ =>
        {
            Console.WriteLine($"edge {Version}");
            return 0;
        });

        root.Subcommands.Add(run);
        root.Subcommands.Add(validate);
        root.Subcommands.Add(certs);
        root.Subcommands.Add(WafCommands.Create());
        root.Subcommands.Add(GeoCommands.Create());
        root.Subcommands.Add(KeysCommands.Create());
        root.Subcommands.Add(version);
        return root.Parse(args).Invoke();
    }

    public static string Version =>
        typeof(EdgeCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static int Validate(FileInfo file)
    {
        var result = ConfigLoader.LoadFile(file.FullName);
        if (result.Ok)
        {
            Console.WriteLine($"{file.FullName}: ok ({result.Config!.Routes.Count} routes, {result.Config.Clusters.Count} clusters)");
            return 0;
        }
        foreach (var error in result.Errors) Console.Error.WriteLine(error);
        return 1;
    }

    private static async Task<int> RunAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; })
            .SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("edge");

        if (file is null && !DevCertificates.Exists(DevCertificates.DefaultDirectory))
        {
            // The default config's mTLS listener needs the dev PKI: a newcomer gets it on first run, not an error.
            DevCertificates.Generate(DevCertificates.DefaultDirectory, DateTimeOffset.UtcNow);
            logger.LogInformation("wrote the development PKI to {Directory} for the mTLS listener (see certs/README.md)", Path.GetFullPath(DevCertificates.DefaultDirectory));
        }
        var result = file is null ? ConfigLoader.LoadYaml(DefaultConfig.Yaml, DefaultConfig.SourceName) : ConfigLoader.LoadFile(file.FullName);
        if (!result.Ok)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine(error);
            return 1;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        await using var registration = cancellationToken.Register(() => stop.TrySetResult());

        EdgeHost host;
        try
        {
            host = await EdgeHost.StartAsync(result.Config!, file?.FullName, loggerFactory, cancellationToken);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"edge: cannot bind: {ex.Message}");
            return 1;
        }
        await using (host)
        {
            using var watcher = file is null ? null : new ConfigWatcher(file.FullName, () => host.Reload());
            logger.LogInformation("edge {Version} started with {Source}", Version, file?.FullName ?? DefaultConfig.SourceName);
            await stop.Task;
            logger.LogInformation("stopping: draining connections");
        }
        return 0;
    }
}
