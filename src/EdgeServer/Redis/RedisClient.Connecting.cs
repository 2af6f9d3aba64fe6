using System.Net.Sockets;
using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Redis;

/// <summary>
/// The background connect loop: connect and handshake (AUTH, SELECT, CLIENT SETNAME, PING) within the
/// connect timeout, publish the connection for calls, wait for it to fail, then reconnect after an
/// exponential backoff with jitter (<see cref="ReconnectBackoff"/>). Only a connection that passed its
/// handshake takes calls, so calls never queue behind a connect in progress.
/// </summary>
internal sealed partial class RedisClient
{
    private async Task ConnectLoopAsync()
    {
        var failures = 0;
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            var connection = await TryConnectAsync(stopping).ConfigureAwait(false);
            if (connection is not null)
            {
                failures = 0;
                _stats.Connected();
                Volatile.Write(ref _ready, connection);
                Interlocked.Exchange(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                var reason = await connection.Closed.ConfigureAwait(false);
                Volatile.Write(ref _ready, null);
                Interlocked.CompareExchange(ref _current, null, connection);
                if (stopping.IsCancellationRequested) break;
                _stats.Disconnected(reason);
            }
            var delay = ReconnectBackoff.Delay(failures++, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, Random.Shared.NextDouble());
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>A connection that passed its handshake, or null (the failure counted and kept as the last error).</summary>
    private async Task<RedisConnection?> TryConnectAsync(CancellationToken stopping)
    {
        RedisConnection? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(_options.ConnectTimeout);
            var deadline = _time.GetTimestamp() + ToTimestampTicks(_options.ConnectTimeout);
            Socket socket;
            try
            {
                socket = await SocketConnector.ConnectAsync(new DnsOrIpEndPoint(_options.Host, _options.Port), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting to Redis at {_options.Host}:{_options.Port} timed out after {_options.ConnectTimeout.TotalMilliseconds} ms");
            }
            connection = new RedisConnection(socket, _options, _pool, _stats, _time);
            Volatile.Write(ref _current, connection); // disposed with the client, the handshake included
            await HandshakeAsync(connection, deadline).ConfigureAwait(false);
            if (stopping.IsCancellationRequested) throw new OperationCanceledException(stopping);
            return connection;
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                Interlocked.CompareExchange(ref _current, null, connection);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            if (!stopping.IsCancellationRequested)
                _stats.ConnectFailed(e is SocketException or TimeoutException or RedisHandshakeException ? e.Message : $"{e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>All handshake commands pipelined in one write, then their replies checked in order.</summary>
    private async Task HandshakeAsync(RedisConnection connection, long deadline)
    {
        var auth = _options.Password is null ? default
            : _options.User is null ? connection.Execute(new RedisArguments(["AUTH", _options.Password]), deadline, flush: false)
            : connection.Execute(new RedisArguments(["AUTH", _options.User, _options.Password]), deadline, flush: false);
        var select = _options.Database == 0 ? default
            : connection.Execute(new RedisArguments(["SELECT", _options.Database]), deadline, flush: false);
        var name = _options.ClientName is null ? default
            : connection.Execute(new RedisArguments(["CLIENT", "SETNAME", _options.ClientName]), deadline, flush: false);
        var ping = connection.Execute(new RedisArguments(["PING"]), deadline, flush: true);

        if (_options.Password is not null) Check("AUTH", await auth.ConfigureAwait(false));
        if (_options.Database != 0) Check("SELECT", await select.ConfigureAwait(false));
        if (_options.ClientName is not null) Check("CLIENT SETNAME", await name.ConfigureAwait(false));
        Check("PING", await ping.ConfigureAwait(false));

        static void Check(string step, RedisResult result)
        {
            if (result.IsError) throw new RedisHandshakeException($"Redis refused {step}: {result.Message}");
            if (!result.IsSuccess) throw new RedisHandshakeException($"no answer to {step}: {result.Message}");
        }
    }
}

/// <summary>Redis answered the handshake (AUTH, SELECT, ...) with an error or not at all.</summary>
internal sealed class RedisHandshakeException(string message) : Exception(message);
