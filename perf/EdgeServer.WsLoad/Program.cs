using EdgeServer.WsLoad;

// edge-wsload serve <port>                                   WebSocket echo backend (Kestrel) on 127.0.0.1:<port>
// edge-wsload throughput <ws-url> <connections> <bytes> <seconds> [window]
//                                                            messages/s echoed with <window> messages in flight per connection
// edge-wsload idle <ws-url> <connections> <hold-seconds>     opens idle connections, prints "open N", holds, closes
return args.Length switch
{
    2 when args[0] == "serve" => await EchoServer.RunAsync(int.Parse(args[1])),
    >= 5 when args[0] == "throughput" => await Throughput.RunAsync(new Uri(args[1]), int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), args.Length > 5 ? int.Parse(args[5]) : 1),
    4 when args[0] == "idle" => await IdleConnections.RunAsync(new Uri(args[1]), int.Parse(args[2]), int.Parse(args[3])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: edge-wsload serve <port> | throughput <ws-url> <connections> <bytes> <seconds> [window] | idle <ws-url> <connections> <hold-seconds>");
    return 2;
}
