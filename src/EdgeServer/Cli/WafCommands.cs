using System.Buffers;
using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Model;
using EdgeServer.Geo;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;
using EdgeServer.Tls;
using EdgeServer.Waf;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Cli;

/// <summary>
/// `edge waf validate|test|explain`: what a security team runs before shipping a rule file — check it,
/// see what it does to a request, and see how it is ordered and what it costs.
/// </summary>
internal static class WafCommands
{
    /// <summary>Enough to exceed any sensible per-minute limit by hand; more is a load test, not a rule test.</summary>
    private const int MaxRepeat = 100_000;

    /// <summary>A clock that never moves: every repeated request arrives at the same instant, so results do not depend on the machine's speed.</summary>
    private sealed class FrozenClock : TimeProvider
    {
        public override long GetTimestamp() => 1_000_000_000_000;
    }

    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("FILE") { Description = "rule files (YAML or JSON)", Arity = ArgumentArity.OneOrMore };
        var validate = new Command("validate", "Compile rule files; exit 0 when all are valid, 1 with file:line:column errors otherwise.") { files };
        validate.SetAction(parse => Validate(parse.GetValue(files)!));

        var testFile = new Argument<FileInfo>("FILE") { Description = "the rule file" };
        var request = new Option<FileInfo>("--request", "-r") { Description = "a raw HTTP/1.1 request (head, blank line, body)", Required = true };
        var ip = new Option<string>("--ip") { Description = "the client address (default 203.0.113.10)", DefaultValueFactory = _ => "203.0.113.10" };
        var cert = new Option<FileInfo?>("--cert") { Description = "a PEM client certificate, as if presented over mTLS" };
        var geo = new Option<FileInfo?>("--geo") { Description = "an MMDB geo database for GeoMatch" };
        var geoPath = new Option<string>("--geo-path") { Description = "the country's path in its records", DefaultValueFactory = _ => "country.iso_code" };
        var repeat = new Option<int>("--repeat") { Description = "send the request this many times at one instant (rate-based rules count each; the last is shown)", DefaultValueFactory = _ => 1 };
        var test = new Command("test", "Evaluate a rule file against one request: which rules match, the labels, the final action.") { testFile, request, ip, cert, geo, geoPath, repeat };
        test.SetAction(parse => Test(parse.GetValue(testFile)!, parse.GetValue(request)!, parse.GetValue(ip)!, parse.GetValue(cert), parse.GetValue(geo), parse.GetValue(geoPath)!,
            parse.GetValue(repeat)));

        var explainFile = new Argument<FileInfo>("FILE") { Description = "the rule file" };
        var explain = new Command("explain", "Print a compiled rule file: rule order, actions, labels, statements and their relative cost.") { explainFile };
        explain.SetAction(parse => Explain(parse.GetValue(explainFile)!));

        return new Command("waf", "Web ACL rule files.") { validate, test, explain };
    }

    private static int Validate(FileInfo[] files)
    {
        var failed = false;
        foreach (var file in files)
        {
            var result = WafCompiler.CompileFile(file.FullName, new WafCounterRegistry(), DateTimeOffset.UtcNow);
            foreach (var notice in result.Notices) Console.Error.WriteLine($"warning: {notice}");
            if (result.Ok)
            {
                Console.WriteLine($"{file.FullName}: ok ({result.Acl!.Rules.Count} rules, default {result.Acl.DefaultAction.Label})");
                continue;
            }
            failed = true;
            foreach (var error in result.Errors) Console.Error.WriteLine(error);
        }
        return failed ? 1 : 0;
    }

    private static int Test(FileInfo file, FileInfo requestFile, string ipText, FileInfo? certFile, FileInfo? geoFile, string geoPath, int repeat)
    {
        if (repeat is < 1 or > MaxRepeat)
        {
            Console.Error.WriteLine($"edge waf test: --repeat must be between 1 and {MaxRepeat}, not {repeat}");
            return 1;
        }
        // Rate-based rules start with empty counters and count on a clock frozen at one instant: the Nth copy of the
        // request is what a client sending N at once gets.
        var compiled = WafCompiler.CompileFile(file.FullName, new WafCounterRegistry(), DateTimeOffset.UtcNow, clock: new FrozenClock());
        if (!compiled.Ok)
        {
            foreach (var error in compiled.Errors) Console.Error.WriteLine(error);
            return 1;
        }
        var acl = compiled.Acl!;
        if (!IPAddress.TryParse(ipText, out var ip))
        {
            Console.Error.WriteLine($"edge waf test: --ip '{ipText}' is not an IP address");
            return 1;
        }
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();

        // Raw request files are usually written with LF line ends; HTTP wants CRLF in the head.
        var raw = File.ReadAllBytes(requestFile.FullName);
        var text = System.Text.Encoding.Latin1.GetString(raw);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal) is var lf and >= 0 && (text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf && (crlf < 0 || lf < crlf))
            ? (Head: text[..lf].Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n", Body: text[(lf + 2)..])
            : (Head: text, Body: "");
        var bytes = System.Text.Encoding.Latin1.GetBytes(split.Head + split.Body);
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        var status = Http1RequestParser.TryParse(new ReadOnlySequence<byte>(bytes), head, limits, out var consumed);
        if (status != ParseStatus.Complete)
        {
            Console.Error.WriteLine($"edge waf test: {requestFile.FullName} is not a complete HTTP/1.1 request head ({(status == ParseStatus.Error ? HttpParseErrors.Reason(head.Error) : "incomplete")})");
            return 1;
        }
        var body = bytes.AsSpan((int)consumed);

        ClientIdentity? identity = null;
        if (certFile is not null) identity = new ClientIdentity(X509CertificateLoader.LoadCertificateFromFile(certFile.FullName), []);
        using var geo = new GeoCountryResolver();
        if (geoFile is not null) geo.Load(new GeoConfig { Database = geoFile.FullName, CountryPath = geoPath });

        var limit = acl.BodyInspectionBytes > 0 ? acl.BodyInspectionBytes : WafCompiler.DefaultBodyInspectionBytes;
        var inspected = body[..Math.Min(body.Length, limit)];
        var request = new WafRequest(head, ip.GetAddressBytes(), identity, inspected, bodyTruncated: body.Length > inspected.Length);
        var matched = new bool[acl.Rules.Count];
        var verdict = default(WafVerdict);
        var blockedFrom = 0;
        for (var n = 1; n <= repeat; n++)
        {
            Array.Clear(matched);
            verdict = acl.Evaluate(request, geoFile is null ? null : geo, DateTimeOffset.UtcNow, matched);
            if (verdict.Blocked && blockedFrom == 0) blockedFrom = n;
        }

        Console.WriteLine($"request: {System.Text.Encoding.ASCII.GetString(head.MethodBytes)} {System.Text.Encoding.ASCII.GetString(head.PathAndQuery)} from {ip}" +
            (identity is null ? "" : $" with certificate '{identity.Subject}'"));
        if (repeat > 1)
            Console.WriteLine($"sent {repeat} times: " + (blockedFrom == 0 ? "none blocked" : $"blocked from copy {blockedFrom} on") + "; the last copy:");
        var decided = false;
        for (var i = 0; i < acl.Rules.Count; i++)
        {
            var rule = acl.Rules[i];
            string state = rule.IsExpired(DateTimeOffset.UtcNow) ? "expired (skipped)"
                : decided ? "not evaluated (an earlier rule decided)"
                : matched[i] ? $"MATCH -> {rule.Action.Label}" + (rule.LabelText.Length > 0 ? $" labels [{rule.LabelText}]" : "")
                : "no match";
            Console.WriteLine($"  {rule.Priority,5}  {rule.Name,-32} {state}");
            decided |= ReferenceEquals(rule, verdict.Rule);
        }
        Console.WriteLine($"country: {(verdict.Country is { } c ? CountryCodes.Unpack(c) : "(not looked up or unknown)")}");
        Console.WriteLine($"final action: {verdict.Action.ToString().ToUpperInvariant()}" +
            (verdict.Rule is null ? " (default action)" : $" by rule {verdict.Rule.Name}") +
            (verdict.Blocked ? $" -> {verdict.Response!.Status}" : ""));
        return 0;
    }

    private static int Explain(FileInfo file)
    {
        var result = WafCompiler.CompileFile(file.FullName, new WafCounterRegistry(), DateTimeOffset.UtcNow);
        foreach (var notice in result.Notices) Console.Error.WriteLine($"warning: {notice}");
        if (!result.Ok)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine(error);
            return 1;
        }
        var acl = result.Acl!;
        Console.WriteLine($"web ACL {acl.Name} ({acl.Source})");
        Console.WriteLine($"  default action: {acl.DefaultAction.Label}; body inspection: {(acl.BodyInspectionBytes > 0 ? $"first {acl.BodyInspectionBytes} bytes" : "none")}; " +
            $"{(acl.IsConnectionLevel ? "usable as a connection ACL (IP and geo only)" : "request-level")}");
        Console.WriteLine("  rules, in evaluation order:");
        var absence = acl.AbsenceDecisions;
        for (var i = 0; i < acl.Rules.Count; i++)
        {
            var rule = acl.Rules[i];
            var meta = rule.Metadata;
            Console.WriteLine($"  {rule.Priority,5}  {rule.Name}  -> {rule.Action.Label}  cost {rule.Statement.Cost}" +
                (rule.LabelText.Length > 0 ? $"  labels [{rule.LabelText}]" : "") +
                (meta.Owner is null ? "" : $"  owner {meta.Owner}") + (meta.Ticket is null ? "" : $"  ticket {meta.Ticket}") +
                (meta.ExpiresAt is { } e ? $"  expires {e:O}{(rule.IsExpired(DateTimeOffset.UtcNow) ? " (EXPIRED)" : "")}" : ""));
            Console.WriteLine($"         {rule.Statement.Describe()}" +
                (absence[i] is { } a ? $"  [without {a.Part}: {(a.Answer ? "matches" : "no match")}, not run]" : ""));
        }
        foreach (var (start, end) in acl.ScreenedRuns)
        {
            Console.WriteLine($"  priorities {acl.Rules[start].Priority}-{acl.Rules[end - 1].Priority}: {end - start} ByteMatch rules on one field and transformations, " +
                "screened by one search (skipped together when none of their strings occurs" +
                (acl.RunRawScreen(start) is { } raw ? $", or unread when the raw value holds none of [{raw}])" : ")"));
        }
        foreach (var (field, bytes, members) in acl.FieldScreened)
        {
            Console.WriteLine($"  {field}: priorities {string.Join(",", members.Select(i => acl.Rules[i].Priority))} match only when a raw value holds one of [{bytes}] " +
                "(one search for all of them; see docs/performance.md, field screens)");
        }
        Console.WriteLine($"  total cost (every rule evaluated): {acl.Rules.Sum(r => r.Statement.Cost)}");
        return 0;
    }
}
