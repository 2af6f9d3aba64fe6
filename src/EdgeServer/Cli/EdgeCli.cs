namespace EdgeServer.Cli;

/// <summary>The `edge` command line: run, validate, version.</summary>
internal static class EdgeCli
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("edge: not wired yet");
        return args.Length == 0 ? 1 : 1;
    }
}
