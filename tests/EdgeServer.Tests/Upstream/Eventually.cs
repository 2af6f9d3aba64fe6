namespace EdgeServer.Tests.Upstream;

/// <summary>Bounded waits for asynchronous effects: poll a condition, fail after a generous limit. Never a timing assertion.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public static async Task<T> WithinLimit<T>(Task<T> task) => await task.WaitAsync(Limit);
    public static async Task WithinLimit(Task task) => await task.WaitAsync(Limit);
}
