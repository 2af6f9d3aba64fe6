namespace EdgeServer.Policy.ApiKeys;

/// <summary>What <see cref="ApiKeyStore.TryAuthenticate"/> found; anything but <see cref="Ok"/> is a 403.</summary>
/// <remarks>
/// A right id with a wrong secret is <see cref="Unknown"/>, and <see cref="Revoked"/> is only reported for the right
/// secret: someone who knows a key's (public) id learns nothing about it without the key itself.
/// </remarks>
public enum ApiKeyStatus
{
    Ok,
    /// <summary>No key was presented.</summary>
    Missing,
    /// <summary>Something was presented, but not in the <c>edge_&lt;id&gt;_&lt;secret&gt;</c> shape.</summary>
    Malformed,
    /// <summary>Well formed, but no key in the store has this id and secret.</summary>
    Unknown,
    /// <summary>The key is in the store and was revoked.</summary>
    Revoked,
}

public static class ApiKeyStatusText
{
    /// <summary>The reason a 403 gives; it never echoes the presented key.</summary>
    public static string Reason(this ApiKeyStatus status) => status switch
    {
        ApiKeyStatus.Ok => "API key accepted",
        ApiKeyStatus.Missing => "API key missing",
        ApiKeyStatus.Malformed => "API key malformed",
        ApiKeyStatus.Unknown => "API key not recognised",
        ApiKeyStatus.Revoked => "API key revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
