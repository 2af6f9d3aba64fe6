using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeServer.Config.Model;

namespace EdgeServer.Config.Values;

/// <summary>
/// "host:port" parsing for listen addresses (IP only) and destinations (IP or DNS name).
/// IPv6 must be bracketed ("[::1]:8080") so the last colon is never ambiguous.
/// </summary>
internal static class EndpointValue
{
    public const string ExpectedListen = "an IP address and port such as 127.0.0.1:8080, 0.0.0.0:80, [::1]:8080 or [::]:80";
    public const string ExpectedDestination = "host:port such as 10.0.0.5:8080, backend.internal:80 or [fd00::5]:8080";

    /// <summary>Port 0 asks the OS for a free port: only sensible for listeners (tests bind that way).</summary>
    public static bool TryParseListen(string text, out IPEndPoint endPoint, out string? error)
    {
        endPoint = null!;
        if (!TrySplit(text, out var host, out var bracketed, out var portText, out error)) return false;
        if (!TryParsePort(portText, min: 0, out var port, out error)) return false;
        if (!TryParseIp(host, bracketed, out var ip))
        {
            error = bracketed ? $"'{host}' is not an IPv6 address" : $"'{host}' is not an IP address (listeners bind to IP addresses, not names)";
            return false;
        }
        endPoint = new IPEndPoint(ip, port);
        return true;
    }

    public static bool TryParseDestination(string text, out DnsOrIpEndPoint endPoint, out string? error)
    {
        endPoint = null!;
        if (!TrySplit(text, out var host, out var bracketed, out var portText, out error)) return false;
        if (!TryParsePort(portText, min: 1, out var port, out error)) return false;
        if (TryParseIp(host, bracketed, out _))
        {
            endPoint = new DnsOrIpEndPoint(host, port);
            return true;
        }
        if (bracketed)
        {
            error = $"'{host}' is not an IPv6 address";
            return false;
        }
        if (!HostName.IsDnsName(host) || HostName.LooksNumeric(host))
        {
            error = $"'{host}' is neither an IPv4 address nor a DNS name (letters, digits, '-', '_' and '.' in labels of 1 to 63 characters)";
            return false;
        }
        endPoint = new DnsOrIpEndPoint(host.ToLowerInvariant(), port);
        return true;
    }

    private static bool TrySplit(string text, out string host, out bool bracketed, out string port, out string? error)
    {
        host = port = "";
        bracketed = false;
        error = null;
        var s = text.Trim();
        int colon;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':')
            {
                error = "an IPv6 address needs a port after the brackets, as in [::1]:8080";
                return false;
            }
            host = s[1..close];
            bracketed = true;
            colon = close + 1;
        }
        else
        {
            colon = s.LastIndexOf(':');
            if (colon < 0)
            {
                error = "a port is required";
                return false;
            }
            host = s[..colon];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = "IPv6 addresses must be in brackets, as in [::1]:8080";
                return false;
            }
        }
        if (host.Length == 0)
        {
            error = "the host part is empty";
            return false;
        }
        port = s[(colon + 1)..];
        return true;
    }

    private static bool TryParsePort(string text, int min, out int port, out string? error)
    {
        error = null;
        if (text.Length is > 0 and <= 5 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= min && port <= 65535)
            return true;
        port = 0;
        error = $"port must be a number from {min} to 65535, got '{text}'";
        return false;
    }

    /// <summary>Strict: IPAddress.TryParse alone accepts "1" as 0.0.0.1 and "0x7f.1" as 127.0.0.1.</summary>
    private static bool TryParseIp(string host, bool bracketed, out IPAddress ip)
    {
        if (bracketed)
            return IPAddress.TryParse(host, out ip!) && ip.AddressFamily == AddressFamily.InterNetworkV6;
        ip = IPAddress.None;
        return HostName.IsDottedQuad(host) && IPAddress.TryParse(host, out ip!);
    }
}
