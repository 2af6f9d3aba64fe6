using System.Buffers;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.Statements;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// One raw screen (<see cref="RawScreen"/>) per field for all the rules that inspect it with one: path traversal,
/// XSS and the admin-path rule on the path; log4j and shellshock on the headers. Their bytes are joined, and one
/// search over the field's raw values per evaluation answers "no match" for every one of those rules when none
/// holds any of them, without reading the rules' statements, fields or predicates: in the proxy each object a
/// rule touches is a cache miss, and this is most rules on ordinary traffic. Rules whose statement is one text
/// match on the field take part, except the rules of screened runs (<see cref="ByteMatchRun"/>), which have their
/// own: a dozen path probes would add a dozen letters and the path screen would find one in most paths.
/// </summary>
internal sealed class FieldScreens
{
    /// <summary>One bit per screen in an evaluation's cache.</summary>
    public const int MaxScreens = 32;

    private FieldScreens(FieldToMatch[] fields, byte[][] bytes, sbyte[] screenOf)
    {
        Fields = fields;
        Bytes = bytes;
        Screens = [.. bytes.Select(b => SearchValues.Create(b))];
        ScreenOf = screenOf;
    }

    /// <summary>Per screen: the field whose raw values it looks at.</summary>
    public FieldToMatch[] Fields { get; }
    /// <summary>Per screen: every byte some member rule needs.</summary>
    public byte[][] Bytes { get; }
    /// <summary><see cref="Bytes"/>, searchable.</summary>
    public SearchValues<byte>[] Screens { get; }
    /// <summary>Per rule: the index of its screen, or -1.</summary>
    public sbyte[] ScreenOf { get; }

    public static FieldScreens Find(WafRule[] rules, ByteMatchRun?[] runs)
    {
        var inRun = new bool[rules.Length];
        foreach (var run in runs.OfType<ByteMatchRun>()) Array.Fill(inRun, true, run.Start, run.End - run.Start);
        var screenOf = new sbyte[rules.Length];
        Array.Fill(screenOf, (sbyte)-1);
        var members = rules.Select((rule, index) => (rule, index))
            .Where(x => !inRun[x.index] && x.rule.Statement is TextMatchStatement { Inspection: { ScreenBytes: not null, Field.CanScreenRawValues: true } } &&
                !x.rule.Statement.HasSideEffects)
            .GroupBy(x => ((TextMatchStatement)x.rule.Statement).Inspection.Field.Identity)
            .Where(g => g.Count() >= 2) // one rule's own screen already does what a field screen would
            .Take(MaxScreens)
            .ToArray();
        var fields = new FieldToMatch[members.Length];
        var bytes = new byte[members.Length][];
        for (var s = 0; s < members.Length; s++)
        {
            var inspections = members[s].Select(x => ((TextMatchStatement)x.rule.Statement).Inspection).ToArray();
            fields[s] = inspections[0].Field;
            bytes[s] = [.. inspections.SelectMany(i => i.ScreenBytes!).Distinct().Order()];
            foreach (var (_, index) in members[s]) screenOf[index] = (sbyte)s;
        }
        return new FieldScreens(fields, bytes, screenOf);
    }

    /// <summary>The members of screen <paramref name="index"/>, for `edge waf explain`.</summary>
    public IEnumerable<int> RulesOf(int index) => ScreenOf.Select((s, rule) => (s, rule)).Where(x => x.s == index).Select(x => x.rule);
}
