namespace EdgeServer.Config.Model;

public sealed record AccessLogConfig
{
    public bool Enabled { get; init; } = true;
    /// <summary>"stdout" or a file path.</summary>
    public string Path { get; init; } = "stdout";
}

/// <summary>The built-in echo backend that the default config forwards /echo/ to.</summary>
public sealed record EchoBackendConfig
{
    public bool Enabled { get; init; }
    public System.Net.IPEndPoint Address { get; init; } = System.Net.IPEndPoint.Parse("127.0.0.1:8081");
}
