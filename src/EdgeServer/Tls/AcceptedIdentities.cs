using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls;

/// <summary>
/// The identities of client certificates a validator accepted, by their DER bytes: a client that reconnects (every
/// connection of a load test, a service's pool churning) gets the identity parsed for its first connection instead
/// of a fresh copy of the certificate, its CA certificates, names, SANs and header values per handshake.
/// </summary>
/// <remarks>
/// Only ever consulted after the chain, its dates and the CRLs were checked for this handshake, so a hit skips
/// parsing, never validation. One cache per validator: a reload (new CAs or CRLs) starts empty. Bounded: at
/// <see cref="Capacity"/> entries it is emptied and fills again with the certificates still in use, which keeps
/// memory bounded under a flood of distinct certificates without any bookkeeping per hit.
/// </remarks>
internal sealed class AcceptedIdentities
{
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<byte[], ClientIdentity> _byDer = new(DerComparer.Instance);
    private readonly ConcurrentDictionary<byte[], ClientIdentity>.AlternateLookup<ReadOnlySpan<byte>> _byDerSpan;

    public AcceptedIdentities() => _byDerSpan = _byDer.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _byDer.Count;

    /// <summary>
    /// The identity of <paramref name="leaf"/>, made with <paramref name="issuersOf"/> (its chain's CA certificates)
    /// the first time.
    /// </summary>
    public ClientIdentity Get<TState>(X509Certificate2 leaf, TState state, Func<TState, X509Certificate2[]> issuersOf)
    {
        var der = leaf.RawDataMemory.Span;
        if (_byDerSpan.TryGetValue(der, out var known)) return known;
        var identity = new ClientIdentity(X509CertificateLoader.LoadCertificate(der), issuersOf(state));
        if (_byDer.Count >= Capacity) _byDer.Clear();
        // A racing handshake of the same certificate may have added it first: either identity is right.
        return _byDer.GetOrAdd(identity.Certificate.RawData, identity);
    }

    private sealed class DerComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly DerComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        // HashCode is seeded per process, so nobody can pick certificates that collide in this table.
        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
