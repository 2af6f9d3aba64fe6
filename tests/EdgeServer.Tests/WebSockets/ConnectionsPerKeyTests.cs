using System.IO.Pipelines;
using System.Net;
using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Policy.ApiKeys;
using EdgeServer.Protocol.Http1;
using EdgeServer.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Tests.WebSockets;

/// <summary>
/// maxConnectionsPerKey: the per-identity counter (admit, refuse, release, concurrency), which identity a connection
/// counts under, and the policy's slots outliving a reload's new policy.
/// </summary>
public sealed class ConnectionsPerKeyTests
{
    [Fact]
    public void Each_key_gets_max_slots_and_a_release_frees_one()
    {
        var perKey = new ConnectionsPerKey();
        Assert.True(perKey.TryAdmit("alice", 2));
        Assert.True(perKey.TryAdmit("alice", 2));
        Assert.False(perKey.TryAdmit("alice", 2));
        Assert.True(perKey.TryAdmit("bob", 2));
        Assert.Equal((2, 1), (perKey.OpenFor("alice"), perKey.OpenFor("bob")));

        perKey.Release("alice");
        Assert.True(perKey.TryAdmit("alice", 2));
        Assert.False(perKey.TryAdmit("alice", 2));
    }

    [Fact]
    public void A_key_is_forgotten_with_its_last_connection_and_extra_releases_do_nothing()
    {
        var perKey = new ConnectionsPerKey();
        Assert.True(perKey.TryAdmit("k", 1));
        perKey.Release("k");
        perKey.Release("k");
        Assert.Equal(0, perKey.TrackedKeys);
        Assert.True(perKey.TryAdmit("k", 1));
        Assert.Equal(1, perKey.OpenFor("k"));
    }

    [Fact]
    public void A_lower_limit_after_a_reload_refuses_until_enough_have_closed()
    {
        var perKey = new ConnectionsPerKey();
        for (var i = 0; i < 3; i++) Assert.True(perKey.TryAdmit("k", 3));
        Assert.False(perKey.TryAdmit("k", 2));
        perKey.Release("k");
        Assert.False(perKey.TryAdmit("k", 2));
        perKey.Release("k");
        Assert.True(perKey.TryAdmit("k", 2));
    }

    [Fact]
    public async Task Concurrent_admissions_never_exceed_the_limit()
    {
        var perKey = new ConnectionsPerKey();
        var admitted = 0;
        using var start = new Barrier(8);
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1000; i++)
            {
                if (perKey.TryAdmit("shared", 5)) Interlocked.Increment(ref admitted);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.Equal(5, admitted);
        Assert.Equal(5, perKey.OpenFor("shared"));
    }

    private static ClientConnection Connection()
    {
        var pipe = new Pipe();
        var context = new DefaultConnectionContext("t", new Duplex(pipe.Reader, pipe.Writer), new Duplex(pipe.Reader, pipe.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 1234),
        };
        return new ClientConnection(context, new ListenerConfig { Name = "t", Address = new IPEndPoint(IPAddress.Loopback, 0) }, HttpParserLimits.Default);
    }

    private static ApiKeyEntry Key(string name) =>
        new(ApiKeyId.NewRandom(), name, null, "gold", new byte[ApiKeyEntry.HashLength], DateTimeOffset.UtcNow);

    [Fact]
    public void A_connection_counts_under_its_api_key_and_one_without_identity_is_not_counted()
    {
        var state = new WebSocketRouteState("ws");
        var policy = new WebSocketPolicy(new WebSocketConfig { Enabled = true, MaxConnectionsPerKey = 1 }, state);
        var key = Key("billing");
        var first = Connection();
        first.ApiKey = key;
        Assert.Equal(key.IdText, WebSocketPolicy.KeyOf(first));
        Assert.True(policy.TryAdmitKey(first, out var held));
        Assert.Equal(key.IdText, held);

        var second = Connection();
        second.ApiKey = key;
        Assert.False(policy.TryAdmitKey(second, out var none));
        Assert.Null(none);

        // No API key and no client certificate (a plain listener): nothing to count under, nothing held.
        var anonymous = Connection();
        Assert.Null(WebSocketPolicy.KeyOf(anonymous));
        Assert.True(policy.TryAdmitKey(anonymous, out var nothing));
        Assert.Null(nothing);

        policy.ReleaseKey(held);
        Assert.True(policy.TryAdmitKey(second, out _));
    }

    [Fact]
    public void Slots_taken_under_one_snapshot_count_under_the_next_and_are_released_through_either()
    {
        var state = new WebSocketRouteState("ws");
        var before = new WebSocketPolicy(new WebSocketConfig { Enabled = true, MaxConnectionsPerKey = 2 }, state);
        var key = Key("tenant");
        var connection = Connection();
        connection.ApiKey = key;
        Assert.True(before.TryAdmitKey(connection, out var a));
        Assert.True(before.TryAdmitKey(connection, out _));

        // A reload compiles a new policy over the same route state: the two open connections still count.
        var after = new WebSocketPolicy(new WebSocketConfig { Enabled = true, MaxConnectionsPerKey = 2, MessagesPerSecond = 10 }, state);
        Assert.False(after.TryAdmitKey(connection, out _));
        before.ReleaseKey(a);
        Assert.True(after.TryAdmitKey(connection, out _));

        // Without the limit (removed by a reload) nothing is taken.
        var unlimited = new WebSocketPolicy(new WebSocketConfig { Enabled = true }, state);
        Assert.True(unlimited.TryAdmitKey(connection, out var untracked));
        Assert.Null(untracked);
        Assert.Equal(2, state.PerKey.OpenFor(key.IdText));
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
