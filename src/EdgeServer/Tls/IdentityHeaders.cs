using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Tls;

/// <summary>
/// The client identity headers of one listener: which names it writes for backends and which names it
/// strips from what clients send. Stripping covers the default names and X-Forwarded-Client-Cert on every
/// listener, TLS or not, so no client can pose as an authenticated one by writing the headers itself.
/// </summary>
internal sealed class IdentityHeaders
{
    private static readonly ClientIdentityHeadersConfig s_defaults = new();
    private const string XfccName = "X-Forwarded-Client-Cert";
    private readonly byte[][] _strip;
    private readonly ulong _stripLengths;
    private readonly byte[]? _subject, _issuer, _sans, _serial, _fingerprint, _verified, _xfcc;

    /// <summary>Strips only: a listener that does not authenticate clients.</summary>
    public static IdentityHeaders StripOnly { get; } = new(null);

    /// <param name="config">Null: the listener asks for no client certificate, so it writes no identity headers.</param>
    public IdentityHeaders(ClientIdentityHeadersConfig? config)
    {
        _subject = Name(config?.Subject);
        _issuer = Name(config?.Issuer);
        _sans = Name(config?.Sans);
        _serial = Name(config?.Serial);
        _fingerprint = Name(config?.Fingerprint);
        _verified = Name(config?.Verified);
        _xfcc = config?.Xfcc == true ? Name(XfccName) : null;

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            XfccName, s_defaults.Subject!, s_defaults.Issuer!, s_defaults.Sans!, s_defaults.Serial!, s_defaults.Fingerprint!, s_defaults.Verified!,
        };
        foreach (var n in new[] { config?.Subject, config?.Issuer, config?.Sans, config?.Serial, config?.Fingerprint, config?.Verified })
        {
            if (n is not null) names.Add(n);
        }
        _strip = [.. names.Select(Encoding.ASCII.GetBytes)];
        foreach (var n in _strip) _stripLengths |= 1UL << Math.Min(n.Length, 63);
    }

    public bool WritesAny => _subject is not null || _issuer is not null || _sans is not null || _serial is not null
        || _fingerprint is not null || _verified is not null || _xfcc is not null;

    /// <summary>Marks client-sent identity fields to be dropped (the head writer skips dropped fields).</summary>
    public void Mark(byte[] buffer, Span<HeaderField> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            ref var f = ref fields[i];
            // Most fields differ in length from every identity name: one bit test rejects them.
            if (f.Known != KnownHeader.Other || (_stripLengths & (1UL << Math.Min(f.NameLength, 63))) == 0) continue;
            var name = buffer.AsSpan(f.NameStart, f.NameLength);
            foreach (var strip in _strip)
            {
                if (Ascii.EqualsIgnoreCase(name, strip))
                {
                    f.Drop = true;
                    break;
                }
            }
        }
    }

    public void Write(ref HeadWriter w, ClientIdentity? identity)
    {
        if (_verified is not null) w.WriteHeader(_verified, identity is null ? "NONE"u8 : "SUCCESS"u8);
        if (identity is null) return;
        if (_subject is not null) w.WriteHeader(_subject, identity.SubjectUtf8);
        if (_issuer is not null) w.WriteHeader(_issuer, identity.IssuerUtf8);
        if (_sans is not null && identity.SansUtf8.Length > 0) w.WriteHeader(_sans, identity.SansUtf8);
        if (_serial is not null) w.WriteHeader(_serial, identity.SerialUtf8);
        if (_fingerprint is not null) w.WriteHeader(_fingerprint, identity.Sha256Utf8);
        if (_xfcc is not null) w.WriteHeader(_xfcc, identity.XfccUtf8);
    }

    private static byte[]? Name(string? name) => name is null ? null : Encoding.ASCII.GetBytes(name);
}
