using System.Net;

namespace EdgeServer.Geo.Tests;

/// <summary>
/// MaxMind's corrupt databases (bad-data/ and the broken test files): each gives a MaxMindDatabaseException naming
/// the file, at open or at lookup, within a time limit: never a crash, a hang, an endless loop or another exception.
/// </summary>
public sealed class BadDataTests
{
    // Files whose structure is valid: readers must merely not misbehave on them (bad-data/README.md and mmdblookup).
    private static readonly HashSet<string> Readable = new(StringComparer.Ordinal)
    {
        "libmaxminddb-uint64-max-epoch.mmdb",       // build_epoch = UINT64_MAX
        "libmaxminddb-empty-array-last-in-metadata.mmdb", // an empty container as the file's last bytes
        "libmaxminddb-empty-map-last-in-metadata.mmdb",
    };

    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(GeoTestData.BadData, "*.mmdb", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            files.Add(Path.GetRelativePath(GeoTestData.Root, file));
        foreach (string name in (string[])["GeoIP2-City-Test-Broken-Double-Format.mmdb", "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
                     "MaxMind-DB-test-broken-pointers-24.mmdb", "MaxMind-DB-test-broken-search-tree-24.mmdb"])
            files.Add(Path.Combine("maxmind-test", name));
        return files;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Corrupt_file_gives_a_clear_error_and_never_hangs(string relativePath)
    {
        string path = Path.Combine(GeoTestData.Root, relativePath);
        var work = Task.Run(() => Exercise(path));
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == work, $"{relativePath}: no answer within 20 s");
        var error = await work;
        if (Readable.Contains(Path.GetFileName(path)))
        {
            Assert.Null(error);
            return;
        }
        Assert.NotNull(error);
        Assert.StartsWith(path + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uint64_max_build_epoch_is_kept_raw_and_has_no_time()
    {
        using var db = MaxMindDatabase.Open(Path.Combine(GeoTestData.BadData, "libmaxminddb", "libmaxminddb-uint64-max-epoch.mmdb"));
        Assert.Equal(ulong.MaxValue, db.Metadata.BuildEpoch);
        Assert.Null(db.Metadata.BuildTime);
    }

    [Fact]
    public void Files_that_are_not_databases_are_refused_with_the_reason()
    {
        string empty = Path.GetTempFileName();
        string text = Path.GetTempFileName();
        try
        {
            File.WriteAllText(text, "not a database\n");
            Assert.Contains("empty", Assert.Throws<MaxMindDatabaseException>(() => MaxMindDatabase.Open(empty)).Message, StringComparison.Ordinal);
            Assert.Contains("no metadata marker", Assert.Throws<MaxMindDatabaseException>(() => MaxMindDatabase.Open(text)).Message, StringComparison.Ordinal);
            Assert.Throws<FileNotFoundException>(() => MaxMindDatabase.Open(text + ".missing"));
        }
        finally
        {
            File.Delete(empty);
            File.Delete(text);
        }
    }

    /// <summary>Opens the file and looks up, decodes and path-walks a spread of addresses; returns the error, if any.</summary>
    private static MaxMindDatabaseException? Exercise(string path)
    {
        try
        {
            using var db = MaxMindDatabase.Open(path);
            var random = new Random(4);
            var addresses = new List<IPAddress>();
            for (int i = 0; i < 64; i++)
            {
                addresses.Add(IPAddress.Parse($"1.1.1.{i}"));
                addresses.Add(IPAddress.Parse($"::2:0:{i:x}"));
            }
            addresses.Add(IPAddress.Parse("2001:220::1")); // the City test files' record with a double
            for (int i = 0; i < 2_000; i++)
            {
                addresses.Add(new IPAddress(BitConverter.GetBytes((uint)random.NextInt64(1L << 32))));
                var v6 = new byte[16];
                random.NextBytes(v6);
                addresses.Add(new IPAddress(v6));
            }
            foreach (var address in addresses)
            {
                db.Lookup(address);
                db.TryLookupCountry(address, GeoPath.GeoIP2Country, out _);
                db.TryLookup(address, GeoPath.Parse("ip"), out _);
            }
            return null;
        }
        catch (MaxMindDatabaseException e)
        {
            return e;
        }
    }
}
