using System.Net;
using EdgeServer.Policy.IpSets;

namespace EdgeServer.Policy.Tests.IpSets;

public class IpSetFileTests
{
    [Fact]
    public void Reads_entries_comments_and_blank_lines()
    {
        const string text = "# office and VPN\r\n10.0.0.0/8\r\n\r\n  192.0.2.7   # one host\r\n\t2001:db8::/32\t\r\n# end";
        var result = IpSetFile.Parse(text, "allow.txt");
        Assert.True(result.Ok);
        var set = result.Set!;
        Assert.True(set.Contains(IPAddress.Parse("10.9.9.9")));
        Assert.True(set.Contains(IPAddress.Parse("192.0.2.7")));
        Assert.False(set.Contains(IPAddress.Parse("192.0.2.8")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8:ffff::1")));
    }

    [Fact]
    public void Empty_file_is_an_empty_set()
    {
        var result = IpSetFile.Parse("# nothing yet\n\n", "empty.txt");
        Assert.True(result.Ok);
        Assert.True(result.Set!.IsEmpty);
    }

    [Fact]
    public void Reports_every_bad_line_with_its_position_and_builds_nothing()
    {
        string text = string.Join('\n',
            "# header",
            "10.0.0.0/8",
            "  10.0.0.256/8 # bad octet",
            "192.168.0.0/33",
            "10.0.0.1/8",
            "2001:db8::/129",
            "\t2001:db8:::1",
            "foo",
            "1.2.3.4 5.6.7.8",
            "fe80::1%eth0",
            "");
        var result = IpSetFile.Parse(text, "deny.txt");
        Assert.False(result.Ok);
        Assert.Null(result.Set);
        Assert.Equal(
            [
                "deny.txt:3:10: '10.0.0.256/8': octet 256 out of range (0-255)",
                "deny.txt:4:13: '192.168.0.0/33': prefix length 33 exceeds 32 for IPv4",
                "deny.txt:5:1: '10.0.0.1/8': host bits are set; the network is 10.0.0.0/8, a single address is 10.0.0.1/32",
                "deny.txt:6:12: '2001:db8::/129': prefix length 129 exceeds 128 for IPv6",
                "deny.txt:7:12: '2001:db8:::1': unexpected character ':'",
                "deny.txt:8:1: 'foo': expected an IPv4 or IPv6 address",
                "deny.txt:9:9: '1.2.3.4': expected one CIDR per line; use '#' before a comment",
                "deny.txt:10:8: 'fe80::1%eth0': zone index ('%') not allowed",
            ],
            result.Errors.Select(e => e.ToString()));
        Assert.Equal(new IpSetError("deny.txt", 3, 10, "'10.0.0.256/8': octet 256 out of range (0-255)"), result.Errors[0]);
    }

    [Fact]
    public void Caps_the_listed_errors_of_a_file_that_is_not_an_IP_list()
    {
        string text = string.Concat(Enumerable.Repeat("not an address\n", 250));
        var result = IpSetFile.Parse(text, "wrong.bin");
        Assert.Equal(IpSetFile.MaxReportedErrors + 1, result.Errors.Count);
        Assert.Equal("wrong.bin:101:5: 150 more errors from here on not shown (250 in all)", result.Errors[^1].ToString());
    }

    [Fact]
    public void Load_reads_a_file_and_reports_a_missing_one()
    {
        string dir = Directory.CreateTempSubdirectory("ipset-").FullName;
        try
        {
            string path = Path.Combine(dir, "allow.txt");
            File.WriteAllText(path, "198.51.100.0/24\n");
            var loaded = IpSetFile.Load(path);
            Assert.True(loaded.Ok);
            Assert.True(loaded.Set!.Contains(IPAddress.Parse("198.51.100.200")));

            string missing = Path.Combine(dir, "nope.txt");
            Assert.Equal($"{missing}:1:1: IP set file not found", Assert.Single(IpSetFile.Load(missing).Errors).ToString());
            Assert.Equal($"{dir}:1:1: expected an IP set file, but this is a directory", Assert.Single(IpSetFile.Load(dir).Errors).ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
