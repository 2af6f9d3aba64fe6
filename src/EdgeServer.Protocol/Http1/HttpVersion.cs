namespace EdgeServer.Protocol.Http1;

public enum HttpVersion : byte
{
    Http10 = 0,
    Http11 = 1,
}
