using System.Net;
using System.Text;
using System.Text.Json;
using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class AccessLogFormatterTests
{
    [Fact]
    public void Formats_a_request_as_one_json_line_with_fields_in_a_fixed_order()
    {
        var entry = new AccessLogEntry
        {
            Time = AccessLogTestEntries.Time,
            RequestId = "r-1"u8,
            ClientIp = IPAddress.Parse("203.0.113.9"),
            Method = "POST"u8,
            Path = "/api/items"u8,
            Route = "api",
            Status = 201,
            BytesIn = 312,
            BytesOut = 4096,
            Upstream = "backend",
            UpstreamLatency = TimeSpan.FromTicks(123_456),
            TotalLatency = TimeSpan.FromTicks(130_000),
        };

        AccessLogTestEntries.Format(entry, out string line);

        Assert.Equal(
            """{"time":"2024-05-01T10:34:56.789Z","request_id":"r-1","client_ip":"203.0.113.9","method":"POST","path":"/api/items","route":"api","status":201,"bytes_in":312,"bytes_out":4096,"upstream":"backend","upstream_ms":12.345,"total_ms":13.000,"error":null,"client_cert":null,"waf_rule":null,"waf_labels":null,"rate_limit":null,"api_key":null,"ws_close":null}""" + "\n",
            line);
        JsonElement json = AccessLogTestEntries.Parse(line);
        Assert.Equal(12.345, json.GetProperty("upstream_ms").GetDouble());
        Assert.Equal(DateTimeOffset.Parse("2024-05-01T10:34:56.789Z", System.Globalization.CultureInfo.InvariantCulture), json.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public void Unknown_values_are_written_as_null_so_every_line_has_the_same_keys()
    {
        var entry = new AccessLogEntry
        {
            Time = AccessLogTestEntries.Time,
            Status = 400,
            TotalLatency = TimeSpan.FromMilliseconds(0.5),
            Error = "bad request line",
        };

        AccessLogTestEntries.Format(entry, out string line);
        JsonElement json = AccessLogTestEntries.Parse(line);

        Assert.Equal(
            ["time", "request_id", "client_ip", "method", "path", "route", "status", "bytes_in", "bytes_out", "upstream", "upstream_ms", "total_ms", "error", "client_cert", "waf_rule", "waf_labels", "rate_limit", "api_key", "ws_close"],
            json.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("client_ip").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("route").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("upstream").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("upstream_ms").ValueKind);
        Assert.Equal("", json.GetProperty("path").GetString());
        Assert.Equal("0.500", JsonPropertyText(line, "total_ms"));
        Assert.Equal("bad request line", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Hostile_request_bytes_are_escaped_and_the_line_stays_valid_json()
    {
        byte[] path = [.. "/a\"b\\c\n\r\t\b\f"u8, 0x00, 0x01, 0x1B, 0x7F, .. " é 😀 "u8,
            0xFF, 0xFE, 0xC3, 0x28, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0x80, .. "end"u8, 0xE2, 0x82];
        var entry = new AccessLogEntry
        {
            Time = AccessLogTestEntries.Time,
            RequestId = "\"}{\"injected\":1"u8,
            Method = "G\u0000T"u8,
            Path = path,
            Status = 400,
        };

        AccessLogTestEntries.Format(entry, out string line);
        JsonElement json = AccessLogTestEntries.Parse(line);

        Assert.Single(AccessLogTestEntries.Lines(line));
        Assert.Equal(
            "/a\"b\\c\n\r\t\b\f\u0000\u0001\u001b\u007f é 😀 \u00ff\u00fe\u00c3(\u00c0\u00af\u00ed\u00a0\u0080\u0080end\u00e2\u0082",
            json.GetProperty("path").GetString());
        Assert.Equal("\"}{\"injected\":1", json.GetProperty("request_id").GetString());
        Assert.Equal("G\u0000T", json.GetProperty("method").GetString());
        Assert.Contains("\\u001b\\u007f é 😀 \\u00ff", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_with_quotes_controls_and_lone_surrogates_are_escaped()
    {
        var entry = new AccessLogEntry
        {
            Time = AccessLogTestEntries.Time,
            Route = "r\"1\\",
            Upstream = "up\nstream",
            Error = "bad \ud800 surrogate \u0007 é",
        };

        AccessLogTestEntries.Format(entry, out string line);
        JsonElement json = AccessLogTestEntries.Parse(line);

        Assert.Equal("r\"1\\", json.GetProperty("route").GetString());
        Assert.Equal("up\nstream", json.GetProperty("upstream").GetString());
        Assert.Equal("bad \ufffd surrogate \u0007 é", json.GetProperty("error").GetString());
    }

    [Fact]
    public void A_huge_path_is_cut_at_a_character_boundary()
    {
        byte[] path = Encoding.UTF8.GetBytes("/" + new string('é', AccessLogFormatter.MaxFieldBytes));
        var entry = new AccessLogEntry { Time = AccessLogTestEntries.Time, Path = path };

        AccessLogTestEntries.Format(entry, out string line);
        string logged = AccessLogTestEntries.Parse(line).GetProperty("path").GetString()!;

        Assert.Equal(AccessLogFormatter.MaxFieldBytes - 1, Encoding.UTF8.GetByteCount(logged));
        Assert.DoesNotContain('\ufffd', logged);
        Assert.DoesNotContain("\\u00", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::1", "::1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    public void Client_addresses_are_written_as_operators_grep_for_them(string address, string expected)
    {
        var entry = new AccessLogEntry { Time = AccessLogTestEntries.Time, ClientIp = IPAddress.Parse(address) };

        AccessLogTestEntries.Format(entry, out string line);

        Assert.Equal(expected, AccessLogTestEntries.Parse(line).GetProperty("client_ip").GetString());
    }

    [Fact]
    public void Formatting_to_the_bound_never_overruns_for_worst_case_input()
    {
        byte[] controls = Enumerable.Repeat((byte)0x01, AccessLogFormatter.MaxFieldBytes + 100).ToArray();
        string hostile = new('\u0001', AccessLogFormatter.MaxFieldBytes + 100);
        var entry = new AccessLogEntry
        {
            Time = DateTimeOffset.MaxValue,
            RequestId = controls,
            ClientIp = IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295"),
            Method = controls,
            Path = controls,
            Route = hostile,
            Status = int.MinValue,
            BytesIn = long.MinValue,
            BytesOut = long.MaxValue,
            Upstream = hostile,
            UpstreamLatency = TimeSpan.MaxValue,
            TotalLatency = TimeSpan.MaxValue,
            Error = hostile,
        };

        int length = AccessLogTestEntries.Format(entry, out string line);

        Assert.True(length <= AccessLogFormatter.MaxLength(entry));
        AccessLogTestEntries.Parse(line);
    }

    private static string JsonPropertyText(string line, string name)
    {
        int start = line.IndexOf("\"" + name + "\":", StringComparison.Ordinal) + name.Length + 3;
        int end = line.IndexOfAny([',', '}'], start);
        return line[start..end];
    }
}
