using EdgeServer.Config.Model;
using EdgeServer.Config.Values;

namespace EdgeServer.Tests.Config;

public sealed class ValueFormatTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("123", 123L)]
    [InlineData("123B", 123L)]
    [InlineData("8KiB", 8192L)]
    [InlineData("8 KiB", 8192L)]
    [InlineData("10MiB", 10485760L)]
    [InlineData("1GiB", 1073741824L)]
    [InlineData("2TiB", 2199023255552L)]
    [InlineData("8KB", 8000L)]
    [InlineData("10MB", 10000000L)]
    [InlineData("1GB", 1000000000L)]
    public void Sizes(string text, long expected)
    {
        Assert.True(SizeValue.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("8kib")]
    [InlineData("8 K")]
    [InlineData("1.5MiB")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999TiB")]
    public void Bad_sizes(string text) => Assert.False(SizeValue.TryParse(text, out _));

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h0m5s250ms", 3_605_250)]
    [InlineData("0s", 0)]
    public void Durations(string text, long ms)
    {
        Assert.True(DurationValue.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
        Assert.True(DurationValue.TryParse(DurationValue.Format(value), out var roundTrip));
        Assert.Equal(value, roundTrip);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10 s")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("30s1m")]
    [InlineData("1s1s")]
    [InlineData("1d")]
    public void Bad_durations(string text) => Assert.False(DurationValue.TryParse(text, out _));

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("0.0.0.0:80", "0.0.0.0:80")]
    [InlineData("[::1]:8080", "[::1]:8080")]
    [InlineData("[::]:80", "[::]:80")]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    public void Listen_addresses(string text, string expected)
    {
        Assert.True(EndpointValue.TryParseListen(text, out var ep, out var error), error);
        Assert.Equal(expected, ep.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "port is required")]
    [InlineData("127.0.0.1:65536", "port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:-1", "port must be")]
    [InlineData("localhost:80", "not an IP address")]
    [InlineData("::1:80", "IPv6 addresses must be in brackets")]
    [InlineData("[::1]", "needs a port")]
    [InlineData("[127.0.0.1]:80", "not an IPv6 address")]
    [InlineData("1:80", "not an IP address")]
    [InlineData("010.0.0.1:80", "not an IP address")]
    [InlineData(":80", "host part is empty")]
    public void Bad_listen_addresses(string text, string error)
    {
        Assert.False(EndpointValue.TryParseListen(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.5:8080", "10.0.0.5", 8080)]
    [InlineData("Backend.Internal:80", "backend.internal", 80)]
    [InlineData("my_service:9000", "my_service", 9000)]
    [InlineData("[fd00::5]:8080", "fd00::5", 8080)]
    public void Destinations(string text, string host, int port)
    {
        Assert.True(EndpointValue.TryParseDestination(text, out var ep, out var error), error);
        Assert.Equal(new DnsOrIpEndPoint(host, port), ep);
    }

    [Theory]
    [InlineData("backend", "port is required")]
    [InlineData("backend:0", "port must be a number from 1 to 65535")]
    [InlineData("-bad-.example:80", "neither an IPv4 address nor a DNS name")]
    [InlineData("1.2.3:80", "neither an IPv4 address nor a DNS name")]
    [InlineData("a b:80", "neither")]
    [InlineData("[zz::]:80", "not an IPv6 address")]
    public void Bad_destinations(string text, string error)
    {
        Assert.False(EndpointValue.TryParseDestination(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("API.Example.com", "api.example.com")]
    [InlineData("api.example.com.", "api.example.com")]
    [InlineData("*.Example.com", "*.example.com")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("localhost", "localhost")]
    public void Host_patterns(string text, string expected)
    {
        Assert.True(HostName.TryNormalizePattern(text, out var host, out var error), error);
        Assert.Equal(expected, host);
    }

    [Theory]
    [InlineData("*", "leave out 'hosts'")]
    [InlineData("api.*.com", "not a host pattern")]
    [InlineData("*example.com", "not a host pattern")]
    [InlineData("a.*", "not a host pattern")]
    [InlineData("**.example.com", "not a host pattern")]
    [InlineData("example.com:8080", "includes a port")]
    [InlineData("exa mple.com", "not a host pattern")]
    [InlineData("*.10.0.0.1", "not a host pattern")]
    [InlineData("[nope]", "not a bracketed IPv6")]
    public void Bad_host_patterns(string text, string error)
    {
        Assert.False(HostName.TryNormalizePattern(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }
}
