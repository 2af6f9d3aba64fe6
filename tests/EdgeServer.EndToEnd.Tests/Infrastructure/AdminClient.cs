namespace EdgeServer.EndToEnd.Tests.Infrastructure;

internal static class AdminClient
{
    public static async Task<string> GetAsync(EdgeInstance edge, string path)
    {
        using var client = await RawClient.ConnectAsync(edge.Admin);
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: admin\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        return response.BodyText;
    }
}
