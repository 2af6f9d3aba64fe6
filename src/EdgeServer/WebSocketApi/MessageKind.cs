namespace EdgeServer.WebSocketApi;

/// <summary>
/// Whether bytes from a backend (a two-way reply, a push) go to the client as a text or a binary message: text
/// unless the backend labelled them application/octet-stream or they are not UTF-8 (a text message must be, and
/// clients close with 1007 otherwise).
/// </summary>
internal static class MessageKind
{
    public static bool IsBinary(string? mediaType, ReadOnlySpan<byte> body) =>
        string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase) || !System.Text.Unicode.Utf8.IsValid(body);
}
