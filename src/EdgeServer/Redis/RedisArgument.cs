namespace EdgeServer.Redis;

/// <summary>
/// One argument of a command built from ordinary values (text, integer, bytes), so general commands can
/// be sent as <c>client.ExecuteAsync("SET", key, value, "PX", 1000)</c> through a <c>params</c> span
/// without boxing or an array. Text is encoded as UTF-8 straight into the connection's buffer when the
/// command is written. Hot paths with byte-span keys use their own <see cref="IRespArguments"/> instead.
/// </summary>
internal readonly struct RedisArgument
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly Form _form;

    private RedisArgument(string? text, ReadOnlyMemory<byte> bytes, long integer, Form form)
    {
        _text = text;
        _bytes = bytes;
        _integer = integer;
        _form = form;
    }

    public static implicit operator RedisArgument(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), default, 0, Form.Text);
    public static implicit operator RedisArgument(long integer) => new(null, default, integer, Form.Integer);
    public static implicit operator RedisArgument(int integer) => new(null, default, integer, Form.Integer);
    public static implicit operator RedisArgument(byte[] bytes) => new(null, bytes ?? throw new ArgumentNullException(nameof(bytes)), 0, Form.Bytes);
    public static implicit operator RedisArgument(ReadOnlyMemory<byte> bytes) => new(null, bytes, 0, Form.Bytes);

    public void WriteTo(ref RespWriter writer)
    {
        switch (_form)
        {
            case Form.Text: writer.WriteBulk(_text!); break;
            case Form.Integer: writer.WriteBulk(_integer); break;
            default: writer.WriteBulk(_bytes.Span); break;
        }
    }

    public override string ToString() => _form switch
    {
        Form.Text => _text!,
        Form.Integer => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(_bytes.Span),
    };

    private enum Form : byte { Bytes, Text, Integer }
}
