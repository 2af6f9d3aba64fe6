namespace EdgeServer.Geo;

/// <summary>
/// The database file is not a valid MaxMind DB: bad metadata, a search tree pointing outside the file, or a data
/// record that cannot be decoded. The message names the file and what is wrong, so an operator can act on it.
/// </summary>
public sealed class MaxMindDatabaseException : Exception
{
    public MaxMindDatabaseException() { }

    public MaxMindDatabaseException(string message) : base(message) { }

    public MaxMindDatabaseException(string message, Exception innerException) : base(message, innerException) { }
}
