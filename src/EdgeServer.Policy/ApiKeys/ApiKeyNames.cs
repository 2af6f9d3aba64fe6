using System.Buffers;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// What a key's name, plan and owner may contain. Names and plans end up in access logs, metric labels and a header
/// sent to backends, so they are short tokens that need no escaping anywhere; the owner is free text for people
/// (a team, an email address) and only has to be one printable line.
/// </summary>
public static class ApiKeyNames
{
    public const int MaxNameLength = 64;
    public const int MaxOwnerLength = 256;

    public const string ExpectedName = "1 to 64 characters of letters, digits and . _ - : @ + /, starting with a letter or digit";
    public const string ExpectedOwner = "one line of at most 256 printable characters";

    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:@+/");

    /// <summary>Names of keys and of usage plans.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength }
        && char.IsAsciiLetterOrDigit(name[0])
        && !name.AsSpan().ContainsAnyExcept(NameChars);

    public static bool IsValidOwner(string? owner)
    {
        if (owner is null || owner.Length == 0 || owner.Length > MaxOwnerLength) return false;
        for (var i = 0; i < owner.Length; i++)
        {
            var c = owner[i];
            // Control characters and U+2028/U+2029 would break the line in a log, a header or the YAML store.
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator) return false;
            // A lone surrogate cannot be written as UTF-8 into the store file.
            if (char.IsHighSurrogate(c) && i + 1 < owner.Length && char.IsLowSurrogate(owner[i + 1])) i++;
            else if (char.IsSurrogate(c)) return false;
        }
        return owner.Trim().Length == owner.Length;
    }
}
