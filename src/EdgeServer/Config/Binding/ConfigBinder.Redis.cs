using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private const int MaxRedisKeyPrefixBytes = 64;

    private static readonly string[] RedisKeys = ["address", "password", "database", "connectTimeout", "timeout", "failPolicy", "mode", "syncInterval", "keyPrefix"];

    private RedisConfig? BindRedis(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'redis'") is not { } map) return null;
        var mark = reader.MarkOf(map);
        var redis = new RedisConfig { Address = new DnsOrIpEndPoint("", 0), Mark = mark };
        var ok = true;
        var sawAddress = false;
        foreach (var e in reader.Entries(map, "redis", RedisKeys))
        {
            switch (e.Key)
            {
                case "address":
                    sawAddress = true;
                    var text = reader.NonEmptyString(e, EndpointValue.ExpectedDestination);
                    if (text is null) { ok = false; break; }
                    if (EndpointValue.TryParseDestination(text, out var endpoint, out var error)) { redis = redis with { Address = endpoint }; break; }
                    reader.Error(e.Value, $"'address': expected {EndpointValue.ExpectedDestination}, got '{YamlNodeReader.Shorten(text)}': {error}");
                    ok = false;
                    break;
                case "password": if (reader.NonEmptyString(e, "a password") is { } password) redis = redis with { Password = password }; else ok = false; break;
                case "database": if (reader.Int(e, min: 0, max: 15) is { } db) redis = redis with { Database = db }; else ok = false; break;
                case "connectTimeout": if (reader.Duration(e) is { } connect) redis = redis with { ConnectTimeout = connect }; else ok = false; break;
                case "timeout": if (reader.Duration(e) is { } timeout) redis = redis with { Timeout = timeout }; else ok = false; break;
                case "failPolicy": if (reader.Enum<RedisFailPolicy>(e) is { } policy) redis = redis with { FailPolicy = policy }; else ok = false; break;
                case "mode": if (reader.Enum<GlobalLimitMode>(e) is { } mode) redis = redis with { Mode = mode }; else ok = false; break;
                case "syncInterval": if (reader.Duration(e) is { } sync) redis = redis with { SyncInterval = sync }; else ok = false; break;
                case "keyPrefix":
                    if (reader.String(e) is not { } prefix) { ok = false; break; }
                    // Keys are built in a request's stack buffer: the prefix, the limit's name and 16 hex digits.
                    if (Encoding.UTF8.GetByteCount(prefix) > MaxRedisKeyPrefixBytes)
                    {
                        reader.Error(e.Value, $"'keyPrefix': at most {MaxRedisKeyPrefixBytes} bytes, got {Encoding.UTF8.GetByteCount(prefix)}");
                        ok = false;
                        break;
                    }
                    redis = redis with { KeyPrefix = prefix };
                    break;
            }
        }
        if (ok && redis.SyncInterval < TimeSpan.FromMilliseconds(10))
        {
            reader.Error(mark, $"'syncInterval': at least 10ms (got {DurationValue.Format(redis.SyncInterval)}); each round is a batch of Redis calls");
            ok = false;
        }
        if (ok && redis.Timeout < TimeSpan.FromMilliseconds(1))
        {
            reader.Error(mark, $"'timeout': at least 1ms (got {DurationValue.Format(redis.Timeout)})");
            ok = false;
        }
        if (!sawAddress)
        {
            reader.Error(mark, "'redis' needs 'address': host:port of the Redis server, such as 127.0.0.1:6379");
            return null;
        }
        return ok ? redis : null;
    }
}
