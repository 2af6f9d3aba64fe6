using EdgeServer.Protocol.Http1;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>The client certificate fields rules can match (the daemon's client identity implements it).</summary>
public interface IWafClientCertificate
{
    string Subject { get; }
    string Issuer { get; }
    /// <summary>"DNS:..", "URI:.." entries, as the identity headers show them.</summary>
    string SubjectAlternativeNames { get; }
    /// <summary>Lower-case hex SHA-256 of the certificate.</summary>
    string Sha256 { get; }
}

/// <summary>
/// What one evaluation sees of a request: the parsed head, the peer address and, when the ACL inspects
/// bodies, the first bytes of the body. Spans point into the connection's buffers: valid during the call only.
/// </summary>
public readonly ref struct WafRequest
{
    /// <param name="clientAddress">The peer's address: 4 bytes for IPv4 (IPv4-mapped IPv6 already unmapped), else 16.</param>
    public WafRequest(RequestHead? head, ReadOnlySpan<byte> clientAddress, IWafClientCertificate? certificate = null,
        ReadOnlySpan<byte> body = default, bool bodyTruncated = false)
    {
        Head = head;
        ClientAddress = clientAddress;
        Certificate = certificate;
        Body = body;
        BodyTruncated = bodyTruncated;
    }

    /// <summary>Null when a connection-level ACL runs at accept, before any request.</summary>
    public RequestHead? Head { get; }
    public ReadOnlySpan<byte> ClientAddress { get; }
    public IWafClientCertificate? Certificate { get; }
    /// <summary>The inspected prefix of the body (content, not chunk framing).</summary>
    public ReadOnlySpan<byte> Body { get; }
    /// <summary>The body is longer than <see cref="Body"/>: fields apply their oversize handling.</summary>
    public bool BodyTruncated { get; }
}
