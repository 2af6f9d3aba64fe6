namespace EdgeServer.Tls;

/// <summary>Why a TLS handshake (or a later re-check of its client certificate) failed; each is a metric label.</summary>
internal enum TlsFailure
{
    None,
    /// <summary>The listener requires a client certificate and none was sent.</summary>
    NoCertificate,
    /// <summary>The chain does not lead to a configured CA (or to the system roots, when trusted).</summary>
    UnknownCa,
    Expired,
    NotYetValid,
    Revoked,
    /// <summary>The certificate (or a CA above it) is not valid for TLS client authentication.</summary>
    WrongEku,
    /// <summary>More CA certificates above the leaf than maxChainDepth allows.</summary>
    ChainTooDeep,
    /// <summary>The issuing CA's CRL is past its nextUpdate and the listener fails closed.</summary>
    CrlStale,
    /// <summary>Any other chain problem (bad signature, malformed certificate, constraint violations).</summary>
    InvalidCertificate,
    HandshakeTimeout,
    /// <summary>More handshakes in progress than maxConcurrentHandshakes: closed before any TLS work.</summary>
    TooManyHandshakes,
    /// <summary>The peer spoke something other than acceptable TLS (no shared protocol or cipher, not TLS at all, closed mid-way).</summary>
    Protocol,
}

internal static class TlsFailures
{
    public const int Count = (int)TlsFailure.Protocol + 1;

    public static string Label(TlsFailure failure) => failure switch
    {
        TlsFailure.None => "none",
        TlsFailure.NoCertificate => "no_certificate",
        TlsFailure.UnknownCa => "unknown_ca",
        TlsFailure.Expired => "expired",
        TlsFailure.NotYetValid => "not_yet_valid",
        TlsFailure.Revoked => "revoked",
        TlsFailure.WrongEku => "wrong_eku",
        TlsFailure.ChainTooDeep => "chain_too_deep",
        TlsFailure.CrlStale => "crl_stale",
        TlsFailure.InvalidCertificate => "invalid_certificate",
        TlsFailure.HandshakeTimeout => "handshake_timeout",
        TlsFailure.TooManyHandshakes => "too_many_handshakes",
        TlsFailure.Protocol => "protocol",
        _ => "unknown",
    };

    /// <summary>For logs and JSON error bodies.</summary>
    public static string Describe(TlsFailure failure) => failure switch
    {
        TlsFailure.NoCertificate => "no client certificate was presented",
        TlsFailure.UnknownCa => "the client certificate was not issued by a trusted CA",
        TlsFailure.Expired => "the client certificate (or a CA in its chain) has expired",
        TlsFailure.NotYetValid => "the client certificate (or a CA in its chain) is not valid yet",
        TlsFailure.Revoked => "the client certificate (or a CA in its chain) is revoked",
        TlsFailure.WrongEku => "the client certificate is not valid for TLS client authentication (extended key usage)",
        TlsFailure.ChainTooDeep => "the client certificate chain is longer than maxChainDepth allows",
        TlsFailure.CrlStale => "the issuing CA's CRL is past its nextUpdate (failing closed)",
        TlsFailure.InvalidCertificate => "the client certificate chain is invalid",
        TlsFailure.HandshakeTimeout => "the TLS handshake did not complete within handshakeTimeout",
        TlsFailure.TooManyHandshakes => "too many TLS handshakes in progress",
        TlsFailure.Protocol => "TLS protocol error",
        _ => "no failure",
    };
}
