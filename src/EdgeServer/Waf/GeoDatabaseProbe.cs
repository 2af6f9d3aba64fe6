using EdgeServer.Geo;

namespace EdgeServer.Waf;

/// <summary>Opens a geo database once at config load, so `edge validate` and reloads refuse a corrupt one with its reason.</summary>
internal static class GeoDatabaseProbe
{
    public static string? Problem(string path)
    {
        try
        {
            using var database = MaxMindDatabase.Open(path);
            return null;
        }
        catch (Exception ex) when (ex is MaxMindDatabaseException or IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}
