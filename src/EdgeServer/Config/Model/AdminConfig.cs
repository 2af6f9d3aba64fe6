using System.Net;

namespace EdgeServer.Config.Model;

public sealed record AdminConfig
{
    public const string DefaultAddress = "127.0.0.1:9901";
    public bool Enabled { get; init; } = true;
    public IPEndPoint Address { get; init; } = IPEndPoint.Parse(DefaultAddress);
    /// <summary>Must be true for a non-loopback <see cref="Address"/>: admin shows the config and takes reloads, so it is never public by accident.</summary>
    public bool AllowPublic { get; init; }
}
