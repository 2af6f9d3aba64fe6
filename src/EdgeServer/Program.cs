// System.Net.Sockets reads this once, when sockets first initialise: completions then run on the
// epoll thread instead of being queued to the thread pool. The data path never blocks, and each
// queue hop was a context switch: this alone took plain-ka from ~20k to ~35k req/s on one core
// (docs/performance.md). An operator's explicit setting wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}
return EdgeServer.Cli.EdgeCli.Run(args);
