using System.Net;
using EdgeServer.Config.Model;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] ListenerKeys = ["name", "address", "trustForwardedHeaders", "tls", "waf", "rateLimits", "connectionLimits"];

    private ListenerConfig? BindListener(YamlMappingNode map)
    {
        var mark = reader.MarkOf(map);
        string? name = null;
        IPEndPoint? address = null;
        bool trust = false, nameSeen = false, addressSeen = false, tlsBroken = false;
        ListenerTlsConfig? tls = null;
        WafFilesConfig? waf = null;
        var wafBroken = false;
        IReadOnlyList<string> rateLimits = [];
        ConnectionLimitsConfig? connectionLimits = null;
        var limitsBroken = false;
        SourceMark nameMark = mark, addressMark = mark;
        foreach (var e in reader.Entries(map, "listener", ListenerKeys))
        {
            switch (e.Key)
            {
                case "name": (nameSeen, nameMark, name) = (true, reader.MarkOf(e.Value), Name(e)); break;
                case "address": (addressSeen, addressMark, address) = (true, reader.MarkOf(e.Value), reader.ListenAddress(e)); break;
                case "trustForwardedHeaders": trust = reader.Bool(e) ?? trust; break;
                case "tls": tls = BindListenerTls(e); tlsBroken = tls is null; break;
                case "waf": waf = BindWaf(e, listener: true); wafBroken = waf is null; break;
                case "rateLimits": if (RateLimitReferences(e) is { } names) rateLimits = names; else limitsBroken = true; break;
                case "connectionLimits": connectionLimits = BindConnectionLimits(e); limitsBroken |= connectionLimits is null; break;
            }
        }
        if (!nameSeen) reader.Error(mark, "listener is missing 'name'");
        if (!addressSeen) reader.Error(mark, "listener is missing 'address': expected an IP address and port such as 127.0.0.1:8080");
        if (name is null || address is null || tlsBroken || wafBroken || limitsBroken) return null;
        Marks.ListenerNames.Add(nameMark);
        Marks.ListenerAddresses.Add(addressMark);
        return new ListenerConfig { Name = name, Address = address, TrustForwardedHeaders = trust, Tls = tls, Waf = waf, RateLimits = rateLimits, ConnectionLimits = connectionLimits, Mark = mark };
    }
}
