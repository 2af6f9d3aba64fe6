namespace EdgeServer.Policy.Waf;

/// <summary>
/// Label names interned to small ids when an ACL is compiled, so adding and matching labels at run time
/// compares integers. Country labels (geo:country:XX) get their ids up front for every known country.
/// </summary>
public sealed class LabelTable
{
    public const string CountryNamespace = "geo:country:";
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Dictionary<ushort, int> _countries = [];
    private readonly int _otherCountry;

    public LabelTable(IEnumerable<string> countryCodes)
    {
        foreach (var code in countryCodes) _countries[Evaluation.CountryCodes.Pack(code)] = Intern(CountryNamespace + code);
        // Interned now: at run time the table is read by every request thread at once and must not change.
        _otherCountry = Intern(CountryNamespace + "other");
    }

    public int Count => _names.Count;

    public int Intern(string label)
    {
        if (_ids.TryGetValue(label, out var id)) return id;
        id = _names.Count;
        _ids[label] = id;
        _names.Add(label);
        return id;
    }

    public string Name(int id) => _names[id];

    /// <summary>The id of a country's label; countries outside the table (a database newer than it) share one "unknown" label.</summary>
    public int CountryLabel(ushort country) =>
        _countries.TryGetValue(country, out var id) ? id : _otherCountry;

    /// <summary>Every label id under a namespace (a prefix ending in ':'), as interned so far: call after all rules are read.</summary>
    public int[] InNamespace(string prefix) =>
        [.. _names.Select((name, id) => (name, id)).Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.id)];
}
