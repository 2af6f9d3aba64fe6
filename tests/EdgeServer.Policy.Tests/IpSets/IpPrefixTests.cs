using EdgeServer.Policy.IpSets;

namespace EdgeServer.Policy.Tests.IpSets;

public class IpPrefixTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.0.2.1", "192.0.2.1/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("::", "::/128")]
    [InlineData("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128")]
    [InlineData("64:ff9b::192.0.2.0/120", "64:ff9b::c000:200/120")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("::ffff:0:0/96", "0.0.0.0/0")]
    [InlineData("::ffff:192.0.2.9", "192.0.2.9/32")]
    [InlineData("::/80", "::/80")]
    public void Parses_and_normalises(string text, string expected)
    {
        Assert.True(IpPrefix.TryParse(text, out var prefix, out var error), error.Message);
        Assert.Equal(expected, prefix.ToString());
    }

    [Theory]
    [InlineData("10.0.0.256/8", 7, "octet 256 out of range (0-255)")]
    [InlineData("10.0.0.1/8", 0, "host bits are set; the network is 10.0.0.0/8, a single address is 10.0.0.1/32")]
    [InlineData("2001:db8::1/32", 0, "host bits are set; the network is 2001:db8::/32, a single address is 2001:db8::1/128")]
    [InlineData("10.0.0.0/33", 9, "prefix length 33 exceeds 32 for IPv4")]
    [InlineData("2001:db8::/129", 11, "prefix length 129 exceeds 128 for IPv6")]
    [InlineData("10.0.0.0/", 9, "missing prefix length after '/'")]
    [InlineData("10.0.0.0/8x", 10, "prefix length must be a decimal number, found 'x'")]
    [InlineData("/8", 0, "missing address")]
    [InlineData("10.1", 4, "expected 4 octets, found 2")]
    [InlineData("10.0.0.0.0", 8, "more than 4 octets")]
    [InlineData("10..0.1", 3, "empty octet")]
    [InlineData("010.0.0.1", 0, "octet 010 has a leading zero (read as octal by some tools); write it without")]
    [InlineData("0x0a.0.0.1", 1, "unexpected character 'x'")]
    [InlineData("host.example", 0, "expected an IPv4 or IPv6 address")]
    [InlineData("2001:db8:::1", 10, "unexpected character ':'")]
    [InlineData("2001::db8::1", 9, "'::' may appear only once")]
    [InlineData(":1::", 0, "an IPv6 address cannot start with a single ':'")]
    [InlineData("1::2:", 4, "an IPv6 address cannot end with a single ':'")]
    [InlineData("12345::", 0, "group has more than 4 hex digits")]
    [InlineData("1:2:3:4:5:6:7", 13, "expected 8 groups, found 7 (use '::' for runs of zero groups)")]
    [InlineData("1:2:3:4:5:6:7:8:9", 16, "too many groups (an IPv6 address has 8)")]
    [InlineData("1:2:3:4::5:6:7:8", 7, "'::' must stand for at least one zero group, but all 8 groups are written")]
    [InlineData("fe80::1%eth0", 7, "zone index ('%') not allowed")]
    [InlineData("::ffff:1.2.3.999", 13, "octet 999 out of range (0-255)")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4", 14, "too many groups (an IPv6 address has 8)")]
    public void Rejects_with_position_and_reason(string text, int offset, string message)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var error));
        Assert.Equal(new IpPrefixError(offset, message), error);
    }

    [Fact]
    public void Parse_throws_a_format_exception_naming_the_text()
    {
        var ex = Assert.Throws<FormatException>(() => IpPrefix.Parse("10.0.0.1/8"));
        Assert.StartsWith("'10.0.0.1/8': host bits are set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromAddress_is_a_single_address_block_and_unmaps()
    {
        Assert.Equal("192.0.2.1/32", IpPrefix.FromAddress(System.Net.IPAddress.Parse("::ffff:192.0.2.1")).ToString());
        Assert.Equal("2001:db8::1/128", IpPrefix.FromAddress(System.Net.IPAddress.Parse("2001:db8::1")).ToString());
    }
}
