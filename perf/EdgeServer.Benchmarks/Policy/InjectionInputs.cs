using System.Text;
using EdgeServer.Policy.Injection;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// The inputs the injection detectors are measured on, shared by the BenchmarkDotNet class (ns, bytes) and the
/// instruction-count loop (<see cref="InjectionCallLoop"/>), so both report on the same text: what a WAF sees in
/// every query argument, cookie, path and body of ordinary traffic, plus one attack per detector.
/// </summary>
internal static class InjectionInputs
{
    /// <summary>A decoded query string holding both quote characters and '&lt;': every context of both detectors is read.</summary>
    public const string Query =
        "q=O'Brien's pizza & pasta near union station&page=2&sort=price_desc&utm_source=newsletter"
        + "&utm_campaign=spring sale 2026&lang=en-US&ref=\"home\"&note=kids <3 it";

    /// <summary>A typical single value (a search box, a name field, a cookie).</summary>
    public const string ShortValue = "spring jackets for kids size 8";

    public const string Slash = "/";

    public const string SqlAttack = "1' union select username,password from users--";

    public const string XssAttack = "\"><img src=x onerror=alert(document.cookie)>";

    // Declared before the bodies built from them: static fields initialise in text order.
    private static readonly string[] Names = ["Maria Garcia", "John Smith", "Aiko Tanaka", "Liam Murphy", "Sofia Rossi"];

    private static readonly string[] Statuses = ["pending", "paid", "shipped", "delivered"];

    private static readonly string[] Notes =
    [
        "Leave at the front door, please", "Gift wrap if possible", "Call before delivery", "", "Second floor, ring twice",
    ];

    private static readonly string[] TrickyRecords =
    [
        "{\"id\": 1042, \"name\": \"Conan O'Brien\", \"email\": \"conan@example.com\", ",
        "\"comment\": \"Great product -- I'd order again; select the blue one, it's 5' long & 2\\\" wide <3\", ",
        "\"tags\": [\"union\", \"drop shipping\", \"sleep well\"], \"rating\": 4.5, \"price\": \"$19.99\"}, ",
        "{\"html\": \"<p>Hello <b>world</b>, see <a href=\\\"/help\\\">help</a></p>\", \"ok\": true}, ",
    ];

    /// <summary>8 KiB of one letter: the cheapest text per character, it shows the per-character floor.</summary>
    public static readonly string Letters = new('x', InjectionLimits.MaxInputChars);

    /// <summary>An 8 KiB JSON API payload of ordinary orders (names, emails, dates, prices, free-text notes).</summary>
    public static readonly string Json = Fill(k =>
        $"{{\"id\": {1000 + k}, \"customer\": {{\"name\": \"{Names[k % Names.Length]}\", \"email\": \"user{k}@example.com\"}}, "
        + $"\"items\": [{{\"sku\": \"SKU-{4711 + (k * 7)}\", \"qty\": {1 + (k % 3)}, \"price\": {9 + k}.99}}], "
        + $"\"status\": \"{Statuses[k % Statuses.Length]}\", \"created_at\": \"2026-03-{1 + (k % 28):00}T09:{k % 60:00}:00Z\", "
        + $"\"note\": \"{Notes[k % Notes.Length]}\"}}, ");

    /// <summary>An 8 KiB JSON body written to be hard: apostrophes, quotes, '&lt;', SQL words and HTML in its values.</summary>
    public static readonly string TrickyJson = Fill(k => TrickyRecords[k % TrickyRecords.Length]);

    /// <summary>An 8 KiB form-encoded body (application/x-www-form-urlencoded, as sent).</summary>
    public static readonly string Form = Fill(k =>
        $"first_name_{k}=Maria&last_name_{k}=Garcia&email_{k}=maria.garcia%40example.com&phone_{k}=%2B34+612+345+678"
        + $"&address_{k}=Calle+Mayor+{k}%2C+Madrid&newsletter_{k}=on&");

    /// <summary>The named inputs, for the loop's command line.</summary>
    public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>
    {
        ["letters8k"] = Letters,
        ["json8k"] = Json,
        ["trickyjson8k"] = TrickyJson,
        ["form8k"] = Form,
        ["query157"] = Query,
        ["value30"] = ShortValue,
        ["slash"] = Slash,
        ["sqlattack"] = SqlAttack,
        ["xssattack"] = XssAttack,
    };

    private static string Fill(Func<int, string> record)
    {
        var body = new StringBuilder(InjectionLimits.MaxInputChars + 512);
        for (int k = 0; body.Length < InjectionLimits.MaxInputChars; k++)
        {
            body.Append(record(k));
        }

        return body.ToString(0, InjectionLimits.MaxInputChars);
    }
}
