using EdgeServer.Policy.Injection;

namespace EdgeServer.Policy.Tests.Injection;

public class InjectionAllocationAndBoundsTests
{
    [Fact]
    public void DetectorsAllocateNothing()
    {
        var inputs = new List<string>();
        inputs.AddRange(InjectionCorpus.Load("sqli-attacks.txt"));
        inputs.AddRange(InjectionCorpus.Load("xss-attacks.txt"));
        inputs.AddRange(InjectionCorpus.Load("benign.txt"));
        Span<char> fingerprint = stackalloc char[SqlInjectionDetector.FingerprintCapacity];
        int flagged = 0;

        // Warm up first: the first calls JIT-compile, which allocates on this thread.
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (string input in inputs)
            {
                flagged += SqlInjectionDetector.IsSqlInjection(input, fingerprint, out _) ? 1 : 0;
                flagged += XssDetector.IsXss(input) ? 1 : 0;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }

        Assert.True(flagged > 0);
    }

    /// <summary>
    /// Raw, hostile and pathological inputs (unterminated comments and strings, deep nesting, long runs of the
    /// characters the tokenizers branch on) are read without exceptions and in time linear in the capped length.
    /// </summary>
    [Fact]
    public void PathologicalInputsStayBounded()
    {
        string[] seeds = ["/*", "'", "\"", "--", "<", "<!--", "&#", "(", "/**/a", "a/**/", "<a ", "=", "\\", "@@", "0x", "union ", "<a b=", "`"];
        var random = new Random(4);
        var inputs = new List<string>();
        foreach (string seed in seeds)
        {
            inputs.Add(string.Concat(Enumerable.Repeat(seed, 40_000 / seed.Length)));
        }

        const string alphabet = "'\"`<>/*-#=;()!@&:x1 \t\n\\%ab";
        for (int i = 0; i < 200; i++)
        {
            char[] chars = new char[random.Next(1, 400)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(20) == 0 ? (char)random.Next(0, 0xFFFF) : alphabet[random.Next(alphabet.Length)];
            }

            inputs.Add(new string(chars));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (string input in inputs)
        {
            SqlInjectionDetector.IsSqlInjection(input);
            XssDetector.IsXss(input);
        }

        // Generous for a shared 2-core machine: a quadratic path over 8 KiB inputs would take far longer.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
