using System.Globalization;
using System.Text;
using EdgeServer.Config.Model;

namespace EdgeServer.Routing;

/// <summary>Pre-encodes a mock response once at compile time, so serving it is two buffer copies.</summary>
internal static class MockResponseEncoder
{
    public static (byte[] Head, byte[] Body) Encode(MockConfig mock)
    {
        var body = Encoding.UTF8.GetBytes(mock.Body);
        var head = new StringBuilder();
        var reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(mock.Status);
        // The space before the reason is required even when the reason is empty (RFC 9112 4).
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {mock.Status} {reason}\r\n");
        foreach (var (name, value) in mock.Headers)
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        // 204 must not carry Content-Length; on 304 it would describe the unsent representation.
        if (mock.Status is not (204 or 304))
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        // Header values were checked to be Latin-1 when the config was loaded.
        return (Encoding.Latin1.GetBytes(head.ToString()), body);
    }
}
