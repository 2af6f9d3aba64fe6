namespace EdgeServer.Tls.Pki;

/// <summary>
/// A CRL that cannot be used: not a CRL, damaged, or using a feature this reader refuses (delta or indirect CRLs,
/// unknown critical extensions). The message names the source (usually the file) and the field that is wrong,
/// because an operator reading it has only the file to go on.
/// </summary>
public sealed class CrlFormatException : Exception
{
    public CrlFormatException()
    {
    }

    public CrlFormatException(string message)
        : base(message)
    {
    }

    public CrlFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
