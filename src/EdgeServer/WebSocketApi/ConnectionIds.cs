using System.Buffers.Text;
using System.Security.Cryptography;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// Connection ids: 128 random bits from the OS's CSPRNG, base64url (22 characters). Whoever knows an id can push to
/// and close that connection through the admin listener, so ids must not be guessable or sequential; they also go
/// into URL paths, hence base64url.
/// </summary>
internal static class ConnectionIds
{
    public const int RandomBytes = 16;
    public const int Length = 22;

    public static string New()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }

    /// <summary>Whether <paramref name="text"/> could be an id (checked before any lookup, so paths are not echoed back unchecked).</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> text) => text.Length == Length && Base64Url.IsValid(text);
}
