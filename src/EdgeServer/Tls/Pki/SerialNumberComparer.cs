namespace EdgeServer.Tls.Pki;

/// <summary>
/// Compares certificate serial numbers as normalized big-endian bytes (leading zero bytes stripped), so the
/// 0x00 a DER INTEGER needs before a high bit does not make equal serials differ. The span side lets a lookup
/// use a certificate's <see cref="System.Security.Cryptography.X509Certificates.X509Certificate.SerialNumberBytes"/>
/// without copying it.
/// </summary>
internal sealed class SerialNumberComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly SerialNumberComparer Instance = new();

    private SerialNumberComparer()
    {
    }

    public static ReadOnlySpan<byte> Normalize(ReadOnlySpan<byte> serial)
    {
        var i = 0;
        while (i < serial.Length && serial[i] == 0) i++;
        return serial[i..];
    }

    public bool Equals(byte[]? x, byte[]? y) =>
        x is not null && y is not null && Normalize(x).SequenceEqual(Normalize(y));

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => Normalize(alternate).SequenceEqual(Normalize(other));

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(Normalize(alternate));
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => Normalize(alternate).ToArray();
}
