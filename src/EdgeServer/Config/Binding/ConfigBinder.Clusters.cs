using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] ClusterKeys =
    [
        "name", "destinations", "loadBalancing", "connectTimeout", "responseTimeout", "idleTimeout",
        "maxIdlePerDestination", "maxConnectionsPerDestination", "passiveHealth", "activeHealth", "tls",
    ];

    private ClusterConfig? BindCluster(YamlMappingNode map)
    {
        var mark = reader.MarkOf(map);
        var cluster = new ClusterConfig { Name = "", Destinations = [], Mark = mark };
        string? name = null;
        List<DnsOrIpEndPoint>? destinations = null;
        bool nameSeen = false, destinationsSeen = false, tlsSeen = false;
        SourceMark nameMark = mark;
        foreach (var e in reader.Entries(map, "cluster", ClusterKeys))
        {
            switch (e.Key)
            {
                case "name":
                    (nameSeen, nameMark, name) = (true, reader.MarkOf(e.Value), Name(e));
                    if (name is not null) Marks.DeclaredClusters.Add(name);
                    break;
                case "destinations": destinationsSeen = true; destinations = BindDestinations(e); break;
                case "loadBalancing": if (reader.Enum<LoadBalancingPolicy>(e) is { } lb) cluster = cluster with { LoadBalancing = lb }; break;
                case "connectTimeout": if (reader.Duration(e) is { } ct) cluster = cluster with { ConnectTimeout = ct }; break;
                case "responseTimeout": if (reader.Duration(e) is { } rt) cluster = cluster with { ResponseTimeout = rt }; break;
                case "idleTimeout": if (reader.Duration(e) is { } it) cluster = cluster with { IdleTimeout = it }; break;
                case "maxIdlePerDestination": if (reader.Int(e, min: 0) is { } idle) cluster = cluster with { MaxIdlePerDestination = idle }; break;
                case "maxConnectionsPerDestination": if (reader.Int(e, min: 1) is { } max) cluster = cluster with { MaxConnectionsPerDestination = max }; break;
                case "passiveHealth": if (BindPassiveHealth(e) is { } passive) cluster = cluster with { PassiveHealth = passive }; break;
                case "activeHealth": cluster = cluster with { ActiveHealth = BindActiveHealth(e) }; break;
                case "tls": tlsSeen = true; cluster = cluster with { Tls = BindUpstreamTls(e) }; break;
            }
        }
        if (!nameSeen) reader.Error(mark, "cluster is missing 'name'");
        if (!destinationsSeen) reader.Error(mark, "cluster is missing 'destinations': expected a list of host:port such as [10.0.0.5:8080]");
        // A 'tls' block with errors must not leave a cluster that would silently speak plain HTTP.
        if (name is null || destinations is null || (tlsSeen && cluster.Tls is null)) return null;
        Marks.ClusterNames.Add(nameMark);
        return cluster with { Name = name, Destinations = destinations };
    }

    private List<DnsOrIpEndPoint>? BindDestinations(YamlEntry e)
    {
        if (reader.Sequence(e.Value, "'destinations'") is not { } seq) return null;
        if (seq.Children.Count == 0)
        {
            reader.Error(seq, "'destinations': expected at least one host:port, got an empty list");
            return null;
        }
        var list = new List<DnsOrIpEndPoint>(seq.Children.Count);
        bool ok = true;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, "each destination", EndpointValue.ExpectedDestination);
            if (text is null) { ok = false; continue; }
            if (!EndpointValue.TryParseDestination(text, out var destination, out var error))
            {
                reader.Error(node, $"destination: expected {EndpointValue.ExpectedDestination}, got '{YamlNodeReader.Shorten(text)}': {error}");
                ok = false;
            }
            else if (list.Contains(destination))
            {
                reader.Error(node, $"destination '{destination}' is listed twice");
                ok = false;
            }
            else
            {
                list.Add(destination);
            }
        }
        return ok ? list : null;
    }

    private PassiveHealthConfig? BindPassiveHealth(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'passiveHealth'") is not { } map) return null;
        var passive = new PassiveHealthConfig();
        foreach (var e in reader.Entries(map, "passiveHealth", ["consecutiveFailures", "ejectDuration"]))
        {
            switch (e.Key)
            {
                case "consecutiveFailures": if (reader.Int(e, min: 0) is { } n) passive = passive with { ConsecutiveFailures = n }; break;
                case "ejectDuration": if (reader.Duration(e) is { } d) passive = passive with { EjectDuration = d }; break;
            }
        }
        return passive;
    }

    private ActiveHealthConfig? BindActiveHealth(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'activeHealth' (use {} for all defaults)") is not { } map) return null;
        var active = new ActiveHealthConfig();
        YamlNode? timeoutNode = null;
        foreach (var e in reader.Entries(map, "activeHealth", ["path", "interval", "timeout", "unhealthyThreshold", "healthyThreshold"]))
        {
            switch (e.Key)
            {
                case "path": if (Path(e) is { } path) active = active with { Path = path }; break;
                case "interval": if (reader.Duration(e) is { } interval) active = active with { Interval = interval }; break;
                case "timeout": timeoutNode = e.Value; if (reader.Duration(e) is { } timeout) active = active with { Timeout = timeout }; break;
                case "unhealthyThreshold": if (reader.Int(e, min: 1) is { } down) active = active with { UnhealthyThreshold = down }; break;
                case "healthyThreshold": if (reader.Int(e, min: 1) is { } up) active = active with { HealthyThreshold = up }; break;
            }
        }
        // A probe outliving its interval would overlap the next one for the same destination.
        if (active.Timeout > active.Interval)
        {
            reader.Error(timeoutNode ?? map, $"activeHealth 'timeout' ({DurationValue.Format(active.Timeout)}) must not exceed 'interval' ({DurationValue.Format(active.Interval)})");
        }
        return active;
    }
}
