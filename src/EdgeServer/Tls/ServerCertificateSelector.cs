using System.Net.Security;

namespace EdgeServer.Tls;

/// <summary>
/// Picks the server certificate's options by SNI name: exact names first, then "*.suffix" wildcards (one
/// label, as RFC 6125 matches them), then the default. The options objects are built once and reused for
/// every handshake, so OpenSSL's session cache behind each certificate context serves resumptions.
/// </summary>
internal sealed class ServerCertificateSelector
{
    private readonly Dictionary<string, SslServerAuthenticationOptions>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly Dictionary<string, SslServerAuthenticationOptions>.AlternateLookup<ReadOnlySpan<char>> _wildcard;

    public ServerCertificateSelector(SslServerAuthenticationOptions defaultOptions,
        IEnumerable<(string Host, SslServerAuthenticationOptions Options)> hosts)
    {
        Default = defaultOptions;
        var exact = new Dictionary<string, SslServerAuthenticationOptions>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, SslServerAuthenticationOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, options) in hosts)
        {
            // The first certificate listed for a name wins, as the config reference says.
            if (host.StartsWith("*.", StringComparison.Ordinal)) wildcard.TryAdd(host[2..], options);
            else exact.TryAdd(host, options);
        }
        _exact = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public SslServerAuthenticationOptions Default { get; }

    public SslServerAuthenticationOptions Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Default;
        var name = serverName.AsSpan().TrimEnd('.');
        if (_exact.TryGetValue(name, out var options)) return options;
        var dot = name.IndexOf('.');
        if (dot > 0 && _wildcard.TryGetValue(name[(dot + 1)..], out options)) return options;
        return Default;
    }
}
