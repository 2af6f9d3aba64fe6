using System.Net;

namespace EdgeServer.Config.Model;

public sealed record AdminConfig
{
    public const string DefaultAddress = "127.0.0.1:9901";
    public bool Enabled { get; init; } = true;
    public IPEndPoint Address { get; init; } = IPEndPoint.Parse(DefaultAddress);
}
