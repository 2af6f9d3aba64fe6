using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;
using EdgeServer.Tls;

namespace EdgeServer.Routing;

/// <summary>A route as the data path uses it: everything precomputed from its config.</summary>
internal sealed class CompiledRoute
{
    private readonly byte[] _path;
    private readonly bool _exactPath;
    private readonly bool _anyMethod;
    private readonly uint _knownMethods;      // bit per KnownMethod value
    private readonly byte[][] _customMethods; // methods the parser does not know, compared as bytes

    public CompiledRoute(RouteConfig config, long maxBodyBytes)
    {
        Config = config;
        Name = config.Name;
        MaxBodyBytes = maxBodyBytes;
        _path = Encoding.ASCII.GetBytes(config.Path);
        _exactPath = config.PathMatch == PathMatchKind.Exact;
        // Exact beats every prefix; among prefixes the longer wins. A path is far below int.MaxValue bytes.
        PathRank = _exactPath ? int.MaxValue : _path.Length;

        _anyMethod = config.Methods.Count == 0;
        var custom = new List<byte[]>();
        foreach (var method in config.Methods)
        {
            var known = KnownMethodOf(method);
            if (known == KnownMethod.Custom) custom.Add(Encoding.ASCII.GetBytes(method));
            else _knownMethods |= 1u << (int)known;
        }
        _customMethods = [.. custom];

        if (config.ClientCert is { } clientCert) CertificatePolicy = new RouteCertificatePolicy(clientCert);

        if (config.Mock is { } mock)
        {
            var (head, body) = MockResponseEncoder.Encode(mock);
            MockHead = head;
            MockBody = body;
        }
    }

    public RouteConfig Config { get; }
    public string Name { get; }
    public long MaxBodyBytes { get; }
    public string? ClusterName => Config.Cluster;
    public MockConfig? Mock => Config.Mock;

    /// <summary>Null: the route takes requests with or without a client certificate.</summary>
    public RouteCertificatePolicy? CertificatePolicy { get; }

    /// <summary>Position in the config file; the final tie-breaker.</summary>
    public int Order { get; init; }

    /// <summary>Path specificity: <see cref="int.MaxValue"/> for exact paths, else the prefix length in bytes.</summary>
    public int PathRank { get; }

    /// <summary>
    /// Mock routes only: "HTTP/1.1 status reason\r\n", the configured headers and Content-Length (none for 204 and 304),
    /// each ending in CRLF but without the final empty line, so the caller appends Date, Connection and then "\r\n".
    /// </summary>
    public byte[]? MockHead { get; }

    /// <summary>Mock routes only: the UTF-8 body (not sent for HEAD; Content-Length in <see cref="MockHead"/> still describes it).</summary>
    public byte[]? MockBody { get; }

    /// <summary>Raw-path match: exact bytes, or a prefix ending at a segment boundary unless the prefix itself ends in '/'.</summary>
    public bool MatchesPath(ReadOnlySpan<byte> path)
    {
        if (_exactPath) return path.SequenceEqual(_path);
        if (!path.StartsWith(_path)) return false;
        return path.Length == _path.Length || _path[^1] == (byte)'/' || path[_path.Length] == (byte)'/';
    }

    /// <summary>Methods are case-sensitive (RFC 9110 9.1); HEAD matches only when listed, never through GET.</summary>
    public bool MatchesMethod(KnownMethod method, ReadOnlySpan<byte> methodBytes)
    {
        if (_anyMethod) return true;
        if (method != KnownMethod.Custom) return (_knownMethods & (1u << (int)method)) != 0;
        foreach (var custom in _customMethods)
        {
            if (methodBytes.SequenceEqual(custom)) return true;
        }
        return false;
    }

    private static KnownMethod KnownMethodOf(string method) => method switch
    {
        "GET" => KnownMethod.Get,
        "HEAD" => KnownMethod.Head,
        "POST" => KnownMethod.Post,
        "PUT" => KnownMethod.Put,
        "DELETE" => KnownMethod.Delete,
        "OPTIONS" => KnownMethod.Options,
        "PATCH" => KnownMethod.Patch,
        "TRACE" => KnownMethod.Trace,
        "CONNECT" => KnownMethod.Connect,
        _ => KnownMethod.Custom,
    };
}
