using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] LimitKeys =
    [
        "maxRequestLineBytes", "maxHeaderBytes", "maxHeaderCount", "maxBodyBytes",
        "headerTimeout", "keepAliveTimeout", "maxConnections", "maxResponseHeaderBytes",
    ];

    /// <summary>"GET / HTTP/1.1\r\n" is 16 bytes: a smaller request line limit rejects every request.</summary>
    private const int MinRequestLineBytes = 16;

    /// <summary>A head needs at least "Host: x\r\n\r\n"; below this every request would get 431.</summary>
    private const int MinHeaderBytes = 64;

    private LimitsConfig BindLimits(YamlEntry section)
    {
        var limits = new LimitsConfig();
        if (reader.Mapping(section.Value, "'limits'") is not { } map) return limits;
        foreach (var e in reader.Entries(map, "limits", LimitKeys))
        {
            switch (e.Key)
            {
                case "maxRequestLineBytes": if (IntSize(e, MinRequestLineBytes) is { } line) limits = limits with { MaxRequestLineBytes = line }; break;
                case "maxHeaderBytes": if (IntSize(e, MinHeaderBytes) is { } head) limits = limits with { MaxHeaderBytes = head }; break;
                case "maxResponseHeaderBytes": if (IntSize(e, MinHeaderBytes) is { } resp) limits = limits with { MaxResponseHeaderBytes = resp }; break;
                case "maxHeaderCount": if (reader.Int(e, min: 1) is { } count) limits = limits with { MaxHeaderCount = count }; break;
                case "maxBodyBytes": if (reader.Size(e, min: 0) is { } body) limits = limits with { MaxBodyBytes = body }; break;
                case "headerTimeout": if (reader.Duration(e) is { } ht) limits = limits with { HeaderTimeout = ht }; break;
                case "keepAliveTimeout": if (reader.Duration(e) is { } ka) limits = limits with { KeepAliveTimeout = ka }; break;
                case "maxConnections": if (reader.Int(e, min: 1) is { } conns) limits = limits with { MaxConnections = conns }; break;
            }
        }
        return limits;
    }

    /// <summary>Head limits size per-connection buffers, so they are ints; 1 GiB is far past any sane head.</summary>
    private int? IntSize(YamlEntry e, int min) => (int?)reader.Size(e, min, max: 1L << 30);
}
