using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.ApiKeys;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] ApiKeysKeys = ["store", "header", "forwardHeader"];
    private static readonly string[] UsagePlanKeys = ["name", "throttle", "quota", "global"];
    private static readonly string[] ThrottleKeys = ["rate", "burst"];
    private static readonly string[] QuotaKeys = ["limit", "period"];
    private static readonly string[] RouteApiKeyKeys = ["plans"];

    private ApiKeysConfig? BindApiKeys(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'apiKeys'") is not { } map) return null;
        var mark = reader.MarkOf(map);
        var config = new ApiKeysConfig { Store = "", Mark = mark };
        var ok = true;
        foreach (var e in reader.Entries(map, "apiKeys", ApiKeysKeys))
        {
            switch (e.Key)
            {
                case "store":
                    if (reader.NonEmptyString(e, "a key store file") is { } store) config = config with { Store = ConfigPath.Resolve(reader.File, store) };
                    else ok = false;
                    break;
                case "header": if (HeaderName(e) is { } header) config = config with { Header = header }; else ok = false; break;
                case "forwardHeader":
                    if (e.Value is YamlScalarNode scalar && YamlNodeReader.IsNull(scalar)) config = config with { ForwardHeader = null };
                    else if (HeaderName(e) is { } forward) config = config with { ForwardHeader = forward };
                    else ok = false;
                    break;
            }
        }
        if (config.Store.Length == 0 && ok)
        {
            reader.Error(mark, "'apiKeys' needs 'store': the key store file that `edge keys create` writes");
            return null;
        }
        return ok ? config : null;
    }

    private UsagePlanConfig? BindUsagePlan(YamlMappingNode map)
    {
        var mark = reader.MarkOf(map);
        var plan = new UsagePlanConfig { Name = "", Mark = mark };
        var ok = true;
        string? name = null;
        SourceMark nameMark = mark;
        foreach (var e in reader.Entries(map, "usage plan", UsagePlanKeys))
        {
            switch (e.Key)
            {
                case "name": (nameMark, name) = (reader.MarkOf(e.Value), Name(e)); break;
                case "global": plan = plan with { Global = reader.Bool(e) ?? plan.Global }; break;
                case "throttle":
                    if (reader.Mapping(e.Value, "'throttle'") is not { } throttle) { ok = false; break; }
                    long? burst = null;
                    foreach (var t in reader.Entries(throttle, "throttle", ThrottleKeys))
                    {
                        if (t.Key == "rate") { if (Rate(t) is { } rate) plan = plan with { ThrottleRate = rate }; else ok = false; }
                        else { burst = reader.Int(t, min: 1); ok &= burst is not null; }
                    }
                    if (plan.ThrottleRate is null && ok) { reader.Error(throttle, "'throttle' needs 'rate'"); ok = false; }
                    plan = plan with { ThrottleBurst = burst ?? Math.Max(1, plan.ThrottleRate?.Count ?? 1) };
                    break;
                case "quota":
                    if (reader.Mapping(e.Value, "'quota'") is not { } quota) { ok = false; break; }
                    foreach (var q in reader.Entries(quota, "quota", QuotaKeys))
                    {
                        if (q.Key == "limit") { if (reader.Size(q, min: 1) is { } limit) plan = plan with { QuotaLimit = limit }; else ok = false; }
                        else if (reader.Enum<QuotaPeriod>(q) is { } period) plan = plan with { QuotaPeriod = period };
                        else ok = false;
                    }
                    if (plan.QuotaLimit is null && ok) { reader.Error(quota, "'quota' needs 'limit' (requests per period)"); ok = false; }
                    break;
            }
        }
        if (name is not null) Marks.DeclaredPlans.Add(name);
        if (name is null && ok) { reader.Error(mark, "usage plan is missing 'name'"); ok = false; }
        if (!ok) return null;
        Marks.PlanNames.Add(nameMark);
        return plan with { Name = name! };
    }

    private RouteApiKeyConfig? BindRouteApiKey(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'apiKey'") is not { } map) return null;
        var config = new RouteApiKeyConfig { Mark = reader.MarkOf(map) };
        foreach (var e in reader.Entries(map, "apiKey", RouteApiKeyKeys))
        {
            if (reader.Sequence(e.Value, "'plans'") is not { } seq) return null;
            var plans = new List<string>();
            foreach (var node in seq.Children)
            {
                if (reader.Scalar(node, "each plan", "a usage plan name") is not { } plan) return null;
                plans.Add(plan);
                Marks.PlanReferences.Add((plan, reader.MarkOf(node)));
            }
            config = config with { Plans = plans };
        }
        Marks.ApiKeyRoutes.Add(config.Mark);
        return config;
    }
}
