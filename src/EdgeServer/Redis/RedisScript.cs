using System.Security.Cryptography;

namespace EdgeServer.Redis;

/// <summary>
/// A Lua script called by its SHA-1 (EVALSHA), computed here once, so a call sends 40 bytes rather than
/// the script. Redis forgets scripts on restart or SCRIPT FLUSH; the client then resends the call as
/// EVAL on the NOSCRIPT reply, which also caches the script again.
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        Source = source;
        SourceBytes = Encoding.UTF8.GetBytes(source);
        Sha1 = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA1.HashData(SourceBytes)));
    }

    public string Source { get; }

    public byte[] SourceBytes { get; }

    /// <summary>The lower-case hex SHA-1 that EVALSHA and SCRIPT LOAD use.</summary>
    public byte[] Sha1 { get; }

    public override string ToString() => Encoding.ASCII.GetString(Sha1);
}
