using System.Security.Cryptography;

namespace EdgeServer.Tls.Pki;

/// <summary>Turns a CRL file's bytes into DER: DER is taken as is, PEM is searched for its X509 CRL block.</summary>
internal static class CrlFile
{
    // Far beyond any real CRL (a million entries is ~40 MB), low enough that a wrong path cannot exhaust memory.
    private const long MaxBytes = 256L << 20;

    public static byte[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > MaxBytes) throw new CrlFormatException($"{path}: {stream.Length} bytes is too large for a CRL (limit {MaxBytes})");
            var data = new byte[stream.Length];
            stream.ReadExactly(data);
            return Decode(data, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CrlFormatException($"{path}: cannot read the CRL: {ex.Message}", ex);
        }
    }

    public static byte[] Decode(ReadOnlySpan<byte> data, string source)
    {
        if (data.IsEmpty) throw new CrlFormatException($"{source}: empty, expected a CRL in PEM or DER");
        // A DER CertificateList starts with a SEQUENCE tag; PEM text cannot start with 0x30 ('0').
        if (data[0] == 0x30) return data.ToArray();

        var text = Encoding.UTF8.GetString(data);
        var rest = text.AsSpan();
        string? otherLabel = null;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("X509 CRL"))
            {
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written) || written != der.Length)
                    throw new CrlFormatException($"{source}: the X509 CRL PEM block is not valid base64");
                return der;
            }
            otherLabel ??= label.ToString();
            rest = rest[fields.Location.End..];
        }
        throw new CrlFormatException(otherLabel is null
            ? $"{source}: neither PEM (-----BEGIN X509 CRL-----) nor DER"
            : $"{source}: no -----BEGIN X509 CRL----- block (found {otherLabel})");
    }
}
