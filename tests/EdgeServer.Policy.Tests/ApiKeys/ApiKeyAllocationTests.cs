using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>Authentication runs on every request: no outcome may allocate.</summary>
public sealed class ApiKeyAllocationTests
{
    [Fact]
    public void Authenticating_allocates_nothing_for_any_outcome()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => TestKeys.Create("key" + i, revokedAt: i == 7 ? TestKeys.Created : null)).ToList();
        var store = new ApiKeyStore(keys.Select(k => k.Entry));
        byte[][] presented =
        [
            TestKeys.Bytes(keys[500].Key),
            TestKeys.Bytes(keys[7].Key),
            TestKeys.Bytes(keys[3].Key[..^1] + (keys[3].Key[^1] == 'a' ? 'b' : 'a')),
            TestKeys.Bytes(TestKeys.Create("stranger").Key),
            TestKeys.Bytes("edge_not-a-key"),
            [],
        ];
        ApiKeyStatus[] expected = [ApiKeyStatus.Ok, ApiKeyStatus.Revoked, ApiKeyStatus.Unknown, ApiKeyStatus.Unknown, ApiKeyStatus.Malformed, ApiKeyStatus.Missing];

        // Warm up past tiered compilation, then measure.
        for (var round = 0; round < 200; round++)
            for (var i = 0; i < presented.Length; i++) store.TryAuthenticate(presented[i], out _);

        var statuses = new int[presented.Length];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 10_000; round++)
        {
            for (var i = 0; i < presented.Length; i++)
            {
                if (store.TryAuthenticate(presented[i], out _) == expected[i]) statuses[i]++;
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.All(statuses, count => Assert.Equal(10_000, count));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Quota_windows_allocate_nothing()
    {
        var now = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromHours(2));
        var periods = Enum.GetValues<QuotaPeriod>();
        // Steady state is what counts: the first round may pay one-time runtime costs (tier-up of this loop
        // allocated 24 B once), so the second round must allocate nothing.
        long sum = 0, allocated = 0;
        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            sum += Windows(periods, now);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    private static long Windows(QuotaPeriod[] periods, DateTimeOffset now)
    {
        long sum = 0;
        foreach (var period in periods)
        {
            for (var i = 0; i < 10_000; i++)
            {
                var window = QuotaWindow.For(period, now.AddMinutes(i));
                sum += window.Index + window.SecondsUntilReset(now);
            }
        }
        return sum;
    }
}
