using System.CommandLine;
using System.Net;
using EdgeServer.Config;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Geo;
using EdgeServer.Policy.IpSets;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Cli;

/// <summary>
/// `edge geo lookup IP`: what the geo database says about one address — the whole record and the network it came
/// from, or one value by path — so an operator can see why GeoMatch did or did not match a client.
/// </summary>
internal static class GeoCommands
{
    public static Command Create()
    {
        var ip = new Argument<string>("IP") { Description = "an IPv4 or IPv6 address (IPv4-mapped ::ffff:a.b.c.d is looked up as IPv4, as the server does)" };
        var db = new Option<FileInfo?>("--db") { Description = "the MMDB file (default: geo.database of the embedded default config)" };
        var path = new Option<string?>("--path") { Description = "print only the value at this path, e.g. country.iso_code or subdivisions.0.names.en (strings print bare, other values as JSON)" };
        var lookup = new Command("lookup", "Print an address's record as JSON with the network it matched; exit 0 when found, 1 when not found or on error.") { ip, db, path };
        lookup.SetAction(parse => Lookup(parse.GetValue(ip)!, parse.GetValue(db)?.FullName, parse.GetValue(path)));
        return new Command("geo", "The MMDB geo database.") { lookup };
    }

    private static int Lookup(string ipText, string? dbPath, string? pathText)
    {
        if (!TryParseAddress(ipText, out var address, out string problem)) return Fail($"'{ipText}' is not an IP address: {problem}");
        GeoPath? path = null;
        if (pathText is not null && !GeoPath.TryParse(pathText, out path, out string pathError)) return Fail($"--path: {pathError}");
        dbPath ??= DefaultDatabase(DefaultConfig.Yaml, DefaultConfig.SourceName);
        if (dbPath is null) return Fail("no database: pass --db FILE (the embedded default config sets no geo.database)");
        if (Directory.Exists(dbPath)) return Fail($"{dbPath} is a directory; --db takes an MMDB file");

        MaxMindDatabase database;
        try
        {
            database = MaxMindDatabase.Open(dbPath);
        }
        catch (MaxMindDatabaseException ex)
        {
            return Fail($"cannot use the database: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot open {dbPath}: {ex.Message}");
        }

        using (database)
        {
            try
            {
                return Print(database, ipText, address, path);
            }
            catch (MaxMindDatabaseException ex)
            {
                return Fail($"corrupt database: {ex.Message}");
            }
        }
    }

    private static int Print(MaxMindDatabase database, string ipText, IPAddress address, GeoPath? path)
    {
        var record = database.Lookup(address);
        if (!record.Found) return Fail($"{ipText} is not in {database.Path} (its network {record} has no record)");
        if (path is null)
        {
            Console.WriteLine(GeoRecordJson.Envelope(ipText, record.ToString(), record.Data));
            return 0;
        }
        var value = database.Lookup(address, path);
        if (!value.Found) return Fail($"the record for {ipText} (network {record}) has no value at '{path}'");
        Console.WriteLine(value.Data is string text ? text : GeoRecordJson.Value(value.Data));
        return 0;
    }

    /// <summary>
    /// The geo.database a config names, resolved as the server resolves it, read without validating the rest (the
    /// default config names certificates that may not exist yet, which says nothing about the database).
    /// </summary>
    internal static string? DefaultDatabase(string yaml, string sourceName)
    {
        var root = ConfigLoader.ParseSingleDocument(yaml, new YamlNodeReader(sourceName));
        if (root is null || !root.Children.TryGetValue(new YamlScalarNode("geo"), out var geo) || geo is not YamlMappingNode section) return null;
        if (!section.Children.TryGetValue(new YamlScalarNode("database"), out var database) || database is not YamlScalarNode { Value: { Length: > 0 } text }) return null;
        return ConfigPath.Resolve(sourceName, text);
    }

    /// <summary>
    /// Strict address text, as in IP set files: IPAddress.Parse alone would read "10.1" as 10.0.0.1 and "010.0.0.1"
    /// as octal, and answer for an address the operator did not mean.
    /// </summary>
    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address, out string problem)
    {
        address = null;
        problem = "";
        if (text.Contains('/'))
        {
            problem = "give one address, not a network";
            return false;
        }
        if (!IpPrefix.TryParse(text, out _, out var error))
        {
            problem = $"{error.Message} (at character {error.Offset + 1})";
            return false;
        }
        address = IPAddress.Parse(text);
        return true;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"edge geo lookup: {message}");
        return 1;
    }
}
