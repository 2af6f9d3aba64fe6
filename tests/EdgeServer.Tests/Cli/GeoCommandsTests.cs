using System.Text.Json;
using EdgeServer.Cli;

namespace EdgeServer.Tests.Cli;

/// <summary>
/// The parts of `edge geo lookup` the end-to-end tests cannot reach with MaxMind's files: the default database taken
/// from a config, and the JSON of values those files do not hold (extremes, non-finite floats).
/// </summary>
public sealed class GeoCommandsTests
{
    [Fact]
    public void The_default_database_is_the_configs_geo_database_resolved_like_the_server_resolves_it()
    {
        const string yaml = """
            listeners: []
            geo:
              database: data/country.mmdb
              countryPath: country_code
            """;
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "data", "country.mmdb"), GeoCommands.DefaultDatabase(yaml, "<embedded>/edge.yaml"));
        Assert.Equal("/srv/geo/data/country.mmdb", GeoCommands.DefaultDatabase(yaml, "/srv/geo/edge.yaml"));
        Assert.Equal("/abs/x.mmdb", GeoCommands.DefaultDatabase("geo:\n  database: /abs/x.mmdb\n", "/etc/edge/edge.yaml"));
    }

    [Theory]
    [InlineData("listeners: []\n")]
    [InlineData("geo:\n  countryPath: country_code\n")]
    [InlineData("geo:\n  database: \"\"\n")]
    [InlineData("geo: nope\n")]
    [InlineData("not: [valid\n")]
    public void No_default_database_when_the_config_names_none(string yaml) =>
        Assert.Null(GeoCommands.DefaultDatabase(yaml, "/etc/edge/edge.yaml"));

    [Fact]
    public void The_shipped_default_config_names_no_database()
    {
        // If config/edge.yaml ever names one, `edge geo lookup` uses it without --db; this pins today's behaviour.
        Assert.Null(GeoCommands.DefaultDatabase(EdgeServer.Config.DefaultConfig.Yaml, EdgeServer.Config.DefaultConfig.SourceName));
    }

    [Fact]
    public void Values_JSON_cannot_hold_natively_are_rendered_losslessly()
    {
        var record = new Dictionary<string, object?>
        {
            ["u128"] = UInt128.MaxValue,
            ["u64"] = ulong.MaxValue,
            ["i32"] = int.MinValue,
            ["bytes"] = new byte[] { 0, 0xff, 0x2a },
            ["nan"] = double.NaN,
            ["inf"] = float.PositiveInfinity,
            ["ninf"] = double.NegativeInfinity,
            ["f"] = 1.1f,
            ["d"] = 0.1 + 0.2,
            ["list"] = new List<object?> { (ushort)7, true, "ロンドン" },
        };
        string text = GeoRecordJson.Envelope("192.0.2.1", "192.0.2.0/24", record);
        using var json = JsonDocument.Parse(text);
        var r = json.RootElement.GetProperty("record");
        Assert.Equal("340282366920938463463374607431768211455", r.GetProperty("u128").GetString());
        Assert.Equal("18446744073709551615", r.GetProperty("u64").GetRawText());
        Assert.Equal("-2147483648", r.GetProperty("i32").GetRawText());
        Assert.Equal(new byte[] { 0, 0xff, 0x2a }, r.GetProperty("bytes").GetBytesFromBase64());
        Assert.Equal("NaN", r.GetProperty("nan").GetString());
        Assert.Equal("Infinity", r.GetProperty("inf").GetString());
        Assert.Equal("-Infinity", r.GetProperty("ninf").GetString());
        Assert.Equal("1.1", r.GetProperty("f").GetRawText());
        Assert.Equal(0.1 + 0.2, r.GetProperty("d").GetDouble());
        Assert.Equal("[7,true,\"ロンドン\"]", JsonSerializer.Serialize(r.GetProperty("list"), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal("192.0.2.0/24", json.RootElement.GetProperty("network").GetString());
        Assert.Contains("\"ロンドン\"", text, StringComparison.Ordinal); // readable, not \u escapes
    }
}
