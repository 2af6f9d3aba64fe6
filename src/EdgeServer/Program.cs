return EdgeServer.Cli.EdgeCli.Run(args);
