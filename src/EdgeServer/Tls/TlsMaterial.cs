using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Model;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tls;

/// <summary>
/// Everything a listener's handshakes need, loaded from the files its config names: certificate contexts
/// by SNI name, the client certificate validator, the identity headers. Immutable: a reload builds a new
/// one and swaps it in, and handshakes already running finish with the one they started with.
/// </summary>
internal sealed class TlsMaterial
{
    private TlsMaterial(ListenerTlsConfig config, ServerCertificateSelector selector, ClientCertificateValidator? validator,
        IReadOnlyList<X509Certificate2> serverCertificates, IReadOnlyList<CertificateRevocationList> crls)
    {
        Config = config;
        Selector = selector;
        Validator = validator;
        ServerCertificates = serverCertificates;
        Crls = crls;
        Headers = new IdentityHeaders(config.ClientCertificates.Mode == ClientCertificateMode.None ? null : config.ClientCertificates.Headers);
    }

    public ListenerTlsConfig Config { get; }
    public ServerCertificateSelector Selector { get; }
    /// <summary>Null when the listener does not ask for client certificates.</summary>
    public ClientCertificateValidator? Validator { get; }
    public IReadOnlyList<X509Certificate2> ServerCertificates { get; }
    public IReadOnlyList<CertificateRevocationList> Crls { get; }
    public IdentityHeaders Headers { get; }

    /// <summary>Every file this material was read from, for the watcher.</summary>
    public static IEnumerable<string> FilesOf(ListenerTlsConfig config)
    {
        foreach (var c in config.Certificates)
        {
            if (c.CertificateFile is not null) yield return c.CertificateFile;
            if (c.KeyFile is not null) yield return c.KeyFile;
            if (c.PfxFile is not null) yield return c.PfxFile;
        }
        foreach (var f in config.ClientCertificates.CaBundles) yield return f;
        foreach (var f in config.ClientCertificates.Crls) yield return f;
    }

    /// <summary>Loads and cross-checks every file; throws <see cref="TlsFileException"/> naming the file and the problem.</summary>
    public static TlsMaterial Load(ListenerTlsConfig config, TimeProvider time, RemoteCertificateValidationCallback validate)
    {
        var clientConfig = config.ClientCertificates;
        ClientCertificateValidator? validator = null;
        var trusted = new X509Certificate2Collection();
        var crls = new List<CertificateRevocationList>();
        if (clientConfig.Mode != ClientCertificateMode.None)
        {
            foreach (var bundle in clientConfig.CaBundles) trusted.AddRange(CertificateFiles.LoadCaBundle(bundle));
            var crlIssuers = new Dictionary<X509Certificate2, CertificateRevocationList>();
            foreach (var file in clientConfig.Crls)
            {
                var crl = LoadCrl(file);
                var issuer = trusted.FirstOrDefault(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(crl.Issuer.RawData) && crl.IsSignedBy(ca))
                    ?? throw new TlsFileException($"{file}: the CRL (issuer '{crl.Issuer.Name}') is not signed by any CA in caBundles");
                if (!crlIssuers.TryAdd(issuer, crl))
                    throw new TlsFileException($"{file}: a second CRL for '{issuer.Subject}'; give one CRL per CA");
                crls.Add(crl);
            }
            validator = new ClientCertificateValidator(clientConfig, trusted, crlIssuers, time);
        }

        var hosts = new List<(string, SslServerAuthenticationOptions)>();
        var leaves = new List<X509Certificate2>();
        SslServerAuthenticationOptions? first = null;
        foreach (var certificate in config.Certificates)
        {
            var (leaf, chain) = CertificateFiles.LoadServerCertificate(certificate.PfxFile ?? certificate.CertificateFile!, certificate.KeyFile, certificate.Password);
            var options = CreateOptions(config, leaf, chain, validator, trusted, validate);
            first ??= options;
            leaves.Add(leaf);
            foreach (var host in certificate.Hosts.Count > 0 ? certificate.Hosts : NamesOf(leaf)) hosts.Add((host, options));
        }
        if (first is null) throw new TlsFileException("tls: no certificates");
        return new TlsMaterial(config, new ServerCertificateSelector(first, hosts), validator, leaves, crls);
    }

    private static CertificateRevocationList LoadCrl(string file)
    {
        try
        {
            return CertificateRevocationList.Load(file);
        }
        catch (CrlFormatException ex)
        {
            throw new TlsFileException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException($"{file}: cannot read: {ex.Message}", ex);
        }
    }

    private static SslServerAuthenticationOptions CreateOptions(ListenerTlsConfig config, X509Certificate2 leaf, X509Certificate2Collection chain,
        ClientCertificateValidator? validator, X509Certificate2Collection trusted, RemoteCertificateValidationCallback validate)
    {
        // Naming the trusted CAs in the CertificateRequest lets clients holding several certificates pick the right one.
        var trust = validator is null ? null : SslCertificateTrust.CreateForX509Collection(trusted, sendTrustInHandshake: true);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(leaf, chain, offline: true, trust),
            EnabledSslProtocols = config.Protocols,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificateRequired = validator is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = validator?.Policy,
            RemoteCertificateValidationCallback = validator is null ? null : validate,
            AllowRenegotiation = false,
            AllowTlsResume = true,
        };
    }

    /// <summary>SAN DNS names, or the CN when there is no SAN (old certificates), for SNI.</summary>
    private static IEnumerable<string> NamesOf(X509Certificate2 leaf)
    {
        var (dns, _) = SubjectAlternativeNames.Read(leaf);
        if (dns.Length > 0) return dns;
        var cn = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(cn) ? [] : [cn];
    }
}
