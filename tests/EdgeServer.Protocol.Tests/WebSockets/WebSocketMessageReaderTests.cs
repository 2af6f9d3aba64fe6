using EdgeServer.Protocol.Tests.Http1;
using EdgeServer.Protocol.WebSockets;
using static EdgeServer.Protocol.Tests.WebSockets.TestFrames;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Where the edge terminates the WebSocket: messages assembled unmasked, control frames surfaced between fragments.</summary>
public class WebSocketMessageReaderTests
{
    private static List<string> ReadAll(WebSocketMessageReader reader, byte[] stream, int pieceSize)
    {
        var results = new List<string>();
        var message = new ArrayBufferWriter<byte>();
        var pending = new List<byte>();
        for (var offset = 0; offset < stream.Length; offset += pieceSize)
        {
            pending.AddRange(stream.Skip(offset).Take(pieceSize));
            while (true)
            {
                var buffer = pending.ToArray();
                var status = reader.Read(Sequences.FromParts(buffer), message, out var consumed);
                pending.RemoveRange(0, (int)consumed);
                if (status == WebSocketReadStatus.NeedMoreData) break;
                switch (status)
                {
                    case WebSocketReadStatus.Message:
                        results.Add($"{reader.MessageType} {Encoding.UTF8.GetString(message.WrittenSpan)} ({reader.MessageLength})");
                        message.Clear();
                        break;
                    case WebSocketReadStatus.Violation:
                        results.Add($"violation {reader.Violation} {reader.ViolationCloseCode}");
                        return results;
                    case WebSocketReadStatus.Close:
                        results.Add($"close {reader.CloseCode} {Encoding.UTF8.GetString(reader.ControlPayload[2..])}");
                        return results;
                    default:
                        results.Add($"{status} {Encoding.UTF8.GetString(reader.ControlPayload)} with '{Encoding.UTF8.GetString(message.WrittenSpan)}' so far");
                        break;
                }
            }
        }
        return results;
    }

    [Fact]
    public void Assembles_fragmented_messages_around_control_frames_however_the_bytes_arrive()
    {
        var longText = new string('é', 40000);
        var stream = Concat(
            Frame(WebSocketOpcode.Text, "Hel"u8, masked: true, fin: false, key: 0xA1B2C3D4),
            Frame(WebSocketOpcode.Ping, "are you there"u8, masked: true),
            Frame(WebSocketOpcode.Continuation, "lo"u8, masked: true, key: 0x01020304),
            Frame(WebSocketOpcode.Binary, "bin"u8, masked: true),
            Text(longText, masked: true),
            Frame(WebSocketOpcode.Pong, ""u8, masked: true),
            Close(1000, "done", masked: true));
        string[] expected =
        [
            "Ping are you there with 'Hel' so far",
            "Text Hello (5)",
            "Binary bin (3)",
            $"Text {longText} (80000)",
            "Pong  with '' so far",
            "close 1000 done",
        ];
        foreach (var piece in new[] { stream.Length, 1, 2, 7, 1000 })
        {
            Assert.Equal(expected, ReadAll(new WebSocketMessageReader(WebSocketInspectorOptions.FromClient), stream, piece));
        }
    }

    [Fact]
    public void Enforces_the_message_limit_and_the_rules()
    {
        var limited = WebSocketInspectorOptions.FromClient with { MaxMessageBytes = 4 };
        var stream = Concat(Text("abc", masked: true, fin: false), Frame(WebSocketOpcode.Continuation, "de"u8, masked: true));
        Assert.Equal(["violation MessageTooBig 1009"], ReadAll(new WebSocketMessageReader(limited), stream, 3));
        Assert.Equal(["violation UnmaskedClientFrame 1002"], ReadAll(new WebSocketMessageReader(WebSocketInspectorOptions.FromClient), Text("a", masked: false), 1));
        Assert.Equal(["violation InvalidUtf8Text 1007"], ReadAll(new WebSocketMessageReader(WebSocketInspectorOptions.FromClient), Frame(WebSocketOpcode.Text, [0xC3, 0x28], masked: true), 1));
    }
}
