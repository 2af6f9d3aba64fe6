using System.Net;
using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;

namespace EdgeServer.Config.Binding;

/// <summary>Checks that span sections: unique names, non-clashing addresses, route-to-cluster references, admin exposure.</summary>
internal static class ConfigValidator
{
    public static void Validate(EdgeConfig config, ConfigMarks marks, YamlNodeReader reader)
    {
        ReportDuplicates(reader, "route", config.Routes.Select(r => r.Name), marks.RouteNames);
        ReportDuplicates(reader, "cluster", config.Clusters.Select(c => c.Name), marks.ClusterNames);
        ReportDuplicates(reader, "listener", config.Listeners.Select(l => l.Name), marks.ListenerNames);
        ReportDuplicates(reader, "rate limit", config.RateLimits.Select(l => l.Name), marks.RateLimitNames);
        CheckRateLimitReferences(config, reader, marks);
        CheckApiKeys(config, reader, marks);
        CheckClusterReferences(reader, marks);
        CheckAddresses(config, marks, reader);
        CheckAdminExposure(config, marks, reader);
    }

    private static void ReportDuplicates(YamlNodeReader reader, string kind, IEnumerable<string> names, List<SourceMark> nameMarks)
    {
        var first = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
        int i = 0;
        foreach (var name in names)
        {
            var mark = nameMarks[i++];
            if (first.TryGetValue(name, out var earlier))
                reader.Error(mark, $"duplicate {kind} name '{name}' (first defined at line {earlier.Line}); {kind} names must be unique");
            else
                first.Add(name, mark);
        }
    }

    private static void CheckApiKeys(EdgeConfig config, YamlNodeReader reader, ConfigMarks marks)
    {
        ReportDuplicates(reader, "usage plan", config.UsagePlans.Select(p => p.Name), marks.PlanNames);
        foreach (var (name, mark) in marks.PlanReferences)
        {
            if (marks.DeclaredPlans.Contains(name)) continue;
            var suggestion = KeySuggestion.Closest(name, marks.DeclaredPlans);
            reader.Error(mark, $"unknown usage plan '{name}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; declare it under 'usagePlans'");
        }
        if (config.ApiKeys is null && !marks.ApiKeysBroken)
        {
            foreach (var mark in marks.ApiKeyRoutes) reader.Error(mark, "this route asks for an API key, which needs the 'apiKeys' section (the key store)");
        }
        if (config.ApiKeys is not { } keys) return;
        // The store is checked now, as rule files are, so a reload never half-applies a broken one.
        if (!File.Exists(keys.Store))
        {
            reader.Error(keys.Mark, $"{keys.Store}: API key store file not found; `edge keys create --store {keys.Store} --plan PLAN --name NAME` creates it");
            return;
        }
        var store = ApiKeys.ApiKeyStoreFile.Load(keys.Store);
        foreach (var error in store.Errors) reader.Error(error.Mark, error.Message);
        foreach (var entry in store.Store?.Entries ?? [])
        {
            if (!marks.DeclaredPlans.Contains(entry.Plan))
                reader.Error(keys.Mark, $"{keys.Store}: key '{entry.Name}' ({entry.IdText}) has usage plan '{entry.Plan}', which is not declared under 'usagePlans'");
        }
    }

    private static void CheckRateLimitReferences(EdgeConfig config, YamlNodeReader reader, ConfigMarks marks)
    {
        var declared = marks.DeclaredRateLimits;
        foreach (var (name, mark) in marks.RateLimitReferences)
        {
            if (declared.Contains(name)) continue;
            var suggestion = KeySuggestion.Closest(name, declared);
            var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
            reader.Error(mark, $"unknown rate limit '{name}'{hint}; declare it under 'rateLimits'");
        }
        foreach (var limit in config.RateLimits.Where(l => l.Global && l.Rate.Interval < TimeSpan.FromMicroseconds(1)))
        {
            // Redis keeps global state in microseconds of its clock.
            reader.Error(limit.Mark, $"rate limit '{limit.Name}' is global: its rate may be at most 1000000/s (Redis keeps time in microseconds)");
        }
        if (config.Redis is not null || marks.RedisBroken) return;
        foreach (var limit in config.RateLimits.Where(l => l.Global))
        {
            reader.Error(limit.Mark, $"rate limit '{limit.Name}' is global, which needs the 'redis' section (not configured)");
        }
        foreach (var plan in config.UsagePlans.Where(p => p.Global))
        {
            reader.Error(plan.Mark, $"usage plan '{plan.Name}' is global, which needs the 'redis' section (not configured)");
        }
    }

    private static void CheckClusterReferences(YamlNodeReader reader, ConfigMarks marks)
    {
        foreach (var (name, mark) in marks.ClusterReferences)
        {
            if (marks.DeclaredClusters.Contains(name)) continue;
            var suggestion = KeySuggestion.Closest(name, marks.DeclaredClusters);
            var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
            var known = marks.DeclaredClusters.Count == 0 ? "no clusters are defined" : "defined clusters: " + string.Join(", ", marks.DeclaredClusters);
            reader.Error(mark, $"unknown cluster '{name}'{hint}; {known}");
        }
    }

    /// <summary>Two sockets that cannot both bind: same port and same address, or one of them the wildcard address.</summary>
    private static void CheckAddresses(EdgeConfig config, ConfigMarks marks, YamlNodeReader reader)
    {
        var bound = new List<(IPEndPoint Address, string Owner)>();
        for (int i = 0; i < config.Listeners.Count; i++)
            Claim(config.Listeners[i].Address, $"listener '{config.Listeners[i].Name}'", marks.ListenerAddresses[i]);
        if (config.Admin.Enabled) Claim(config.Admin.Address, "admin", marks.AdminAddress);
        if (config.EchoBackend.Enabled) Claim(config.EchoBackend.Address, "echoBackend", marks.EchoBackendAddress);

        void Claim(IPEndPoint address, string owner, SourceMark mark)
        {
            foreach (var (other, otherOwner) in bound)
            {
                if (Overlaps(address, other))
                {
                    reader.Error(mark, $"{owner} address {address} clashes with {otherOwner} address {other}; each needs its own address and port");
                    return;
                }
            }
            bound.Add((address, owner));
        }
    }

    private static bool Overlaps(IPEndPoint a, IPEndPoint b)
    {
        if (a.Port != b.Port || a.Port == 0) return false; // port 0: the OS picks distinct ports
        if (a.Address.Equals(b.Address)) return true;
        // [::] is bound dual-stack, so it also covers every IPv4 address; 0.0.0.0 covers IPv4 only.
        return IsWildcardFor(a.Address, b.Address) || IsWildcardFor(b.Address, a.Address);

        static bool IsWildcardFor(IPAddress wildcard, IPAddress other) =>
            wildcard.Equals(IPAddress.IPv6Any) || (wildcard.Equals(IPAddress.Any) && other.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
    }

    private static void CheckAdminExposure(EdgeConfig config, ConfigMarks marks, YamlNodeReader reader)
    {
        var admin = config.Admin;
        if (admin.Enabled && !IPAddress.IsLoopback(admin.Address.Address) && !admin.AllowPublic)
        {
            reader.Error(marks.AdminAddress,
                $"admin address {admin.Address} is not a loopback address; admin exposes the config and reloads, so bind it to 127.0.0.1 or [::1], or set 'allowPublic: true' to mean it");
        }
    }
}
