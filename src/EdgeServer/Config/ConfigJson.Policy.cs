using System.Text.Json;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;

namespace EdgeServer.Config;

/// <summary>/config output for the policy sections: WAF rule files, the geo database, rate limits.</summary>
internal static partial class ConfigJson
{
    private static void WriteWaf(WafFilesConfig? waf, Utf8JsonWriter w)
    {
        if (waf is null) return;
        w.WriteStartObject("waf");
        if (waf.Connection is not null) w.WriteString("connection", waf.Connection);
        if (waf.Request is not null) w.WriteString("request", waf.Request);
        if (waf.Shadow is not null) w.WriteString("shadow", waf.Shadow);
        w.WriteEndObject();
    }

    private static void WriteGeo(GeoConfig geo, Utf8JsonWriter w)
    {
        w.WriteStartObject("geo");
        w.WriteString("database", geo.Database);
        w.WriteString("countryPath", geo.CountryPath);
        w.WriteEndObject();
    }

    private static void WriteRateLimitNames(IReadOnlyList<string> names, Utf8JsonWriter w)
    {
        if (names.Count > 0) WriteStrings(w, "rateLimits", names);
    }

    private static void WriteConnectionLimits(ConnectionLimitsConfig? limits, Utf8JsonWriter w)
    {
        if (limits is null) return;
        w.WriteStartObject("connectionLimits");
        if (limits.MaxPerIp is { } max) w.WriteNumber("maxPerIp", max);
        if (limits.NewPerIp is { } rate)
        {
            w.WriteString("newPerIp", rate.ToString());
            w.WriteNumber("newPerIpBurst", limits.NewPerIpBurst);
        }
        w.WriteEndObject();
    }

    private static void WriteRedis(RedisConfig? redis, Utf8JsonWriter w)
    {
        if (redis is null)
        {
            w.WriteNull("redis");
            return;
        }
        w.WriteStartObject("redis");
        w.WriteString("address", $"{redis.Address.Host}:{redis.Address.Port}");
        WriteSecret(w, "password", redis.Password);
        w.WriteNumber("database", redis.Database);
        w.WriteString("connectTimeout", DurationValue.Format(redis.ConnectTimeout));
        w.WriteString("timeout", DurationValue.Format(redis.Timeout));
        w.WriteString("failPolicy", CamelCase(redis.FailPolicy.ToString()));
        w.WriteString("mode", CamelCase(redis.Mode.ToString()));
        w.WriteString("syncInterval", DurationValue.Format(redis.SyncInterval));
        w.WriteString("keyPrefix", redis.KeyPrefix);
        w.WriteString("source", redis.Mark.ToString());
        w.WriteEndObject();
    }

    private static void WriteRateLimits(IReadOnlyList<RateLimitConfig> limits, Utf8JsonWriter w)
    {
        w.WriteStartArray("rateLimits");
        foreach (var l in limits)
        {
            w.WriteStartObject();
            w.WriteString("name", l.Name);
            w.WriteString("key", CamelCase(l.Key.ToString()));
            if (l.Header is not null) w.WriteString("header", l.Header);
            if (l.Key == RateLimitKeyKind.IpPrefix)
            {
                w.WriteNumber("prefixV4", l.PrefixV4);
                w.WriteNumber("prefixV6", l.PrefixV6);
            }
            w.WriteString("rate", l.Rate.ToString());
            w.WriteNumber("burst", l.Burst);
            w.WriteBoolean("dryRun", l.DryRun);
            w.WriteBoolean("global", l.Global);
            w.WriteNumber("maxKeys", l.MaxKeys);
            w.WriteString("source", l.Mark.ToString());
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
