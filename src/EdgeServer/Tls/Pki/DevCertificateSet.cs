namespace EdgeServer.Tls.Pki;

/// <summary>A certificate PEM file and its PKCS#8 private key PEM file.</summary>
public sealed record DevCertificateFiles(string Certificate, string Key);

/// <summary>
/// Where each file of the development PKI lives in a directory (see certs/README.md for what each is for).
/// Constructing one only computes paths; <see cref="DevCertificates.Generate"/> writes the files.
/// </summary>
public sealed class DevCertificateSet
{
    public DevCertificateSet(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        Ca = Pair("ca");
        OtherCa = Pair("other-ca");
        Server = Pair("server");
        ClientAlice = Pair("client-alice");
        ClientBob = Pair("client-bob");
        ClientRevoked = Pair("client-revoked");
        ClientExpired = Pair("client-expired");
        ClientOtherCa = Pair("client-other-ca");
        ClientWrongEku = Pair("client-wrong-eku");
        ClientDeep = Pair("client-deep");
        Intermediate1 = Path.Combine(directory, "intermediate-1.crt");
        Intermediate2 = Path.Combine(directory, "intermediate-2.crt");
        Crl = Path.Combine(directory, "ca.crl");

        var files = new List<string>();
        foreach (var pair in new[] { Ca, OtherCa, Server, ClientAlice, ClientBob, ClientRevoked, ClientExpired, ClientOtherCa, ClientWrongEku, ClientDeep })
        {
            files.Add(pair.Certificate);
            files.Add(pair.Key);
        }
        files.AddRange([Intermediate1, Intermediate2, Crl]);
        Files = files;
    }

    public string Directory { get; }

    /// <summary>"EdgeServer Dev CA": the root that issues the server, the clients, the intermediates and the CRL.</summary>
    public DevCertificateFiles Ca { get; }

    /// <summary>A second root that nothing trusts by default; it issues <see cref="ClientOtherCa"/>.</summary>
    public DevCertificateFiles OtherCa { get; }

    /// <summary>CN=localhost, SAN DNS localhost, IP 127.0.0.1 and ::1, EKU serverAuth; the .crt holds the leaf only.</summary>
    public DevCertificateFiles Server { get; }

    public DevCertificateFiles ClientAlice { get; }

    public DevCertificateFiles ClientBob { get; }

    /// <summary>Valid in every way except that <see cref="Crl"/> lists its serial.</summary>
    public DevCertificateFiles ClientRevoked { get; }

    /// <summary>NotAfter a day in the past.</summary>
    public DevCertificateFiles ClientExpired { get; }

    /// <summary>Issued by <see cref="OtherCa"/>.</summary>
    public DevCertificateFiles ClientOtherCa { get; }

    /// <summary>EKU serverAuth only, so it must not pass as a client.</summary>
    public DevCertificateFiles ClientWrongEku { get; }

    /// <summary>Issued by intermediate-2 under intermediate-1 under the root; the .crt holds leaf, intermediate-2, intermediate-1.</summary>
    public DevCertificateFiles ClientDeep { get; }

    /// <summary>Intermediate CA issued by the root (its key is not kept).</summary>
    public string Intermediate1 { get; }

    /// <summary>Intermediate CA issued by <see cref="Intermediate1"/> (its key is not kept).</summary>
    public string Intermediate2 { get; }

    /// <summary>The root's CRL (PEM), listing <see cref="ClientRevoked"/>; CRL number 1, nextUpdate 30 days after generation.</summary>
    public string Crl { get; }

    /// <summary>Every file of the set, in a stable order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>True when every file of the set exists.</summary>
    public bool IsComplete
    {
        get
        {
            foreach (var file in Files)
            {
                if (!File.Exists(file)) return false;
            }
            return true;
        }
    }

    private DevCertificateFiles Pair(string name) =>
        new(Path.Combine(Directory, name + ".crt"), Path.Combine(Directory, name + ".key"));
}
