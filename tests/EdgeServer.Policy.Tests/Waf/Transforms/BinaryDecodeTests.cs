using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

public class BinaryDecodeTests
{
    [Theory]
    [InlineData("PHNjcmlwdD4=", "<script>")]
    [InlineData("PHNjcmlwdD4", "<script>")]           // padding optional
    [InlineData("YWI=", "ab")]
    [InlineData("YQ==", "a")]
    [InlineData("YQ", "a")]
    [InlineData("Y", "")]                             // six bits make no byte
    [InlineData("YWJj!ZGVm", "abc")]                  // stops at the first non-base64 char
    [InlineData("YWJj ZGVm", "abc")]
    [InlineData("!YWJj", "")]
    [InlineData("w6k=", "\u00E9")]                    // UTF-8 bytes decode as UTF-8
    [InlineData("6Q==", "\u00E9")]                    // a lone byte as Latin-1
    public void Base64_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.Base64Decode, input));
    }

    [Theory]
    [InlineData("PHNjcmlwdD4=", "<script>")]
    [InlineData("PHNj.cmlw\r\ndD4", "<script>")]      // invalid chars skipped
    [InlineData("YW=Jj", "abc")]                      // '=' too
    [InlineData("!!!", "")]
    public void Base64_decode_ext(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.Base64DecodeExt, input));
    }

    [Theory]
    [InlineData("3c7363726970743e", "<script>")]
    [InlineData("414243", "ABC")]
    [InlineData("414", "A4")]                         // a digit without a partner stays
    [InlineData("41 42", "A B")]
    [InlineData("zz41", "zzA")]
    [InlineData("c3a9", "\u00E9")]
    public void Hex_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.HexDecode, input));
    }

    [Theory]
    [InlineData("0x414243", "ABC")]                   // AWS's example
    [InlineData("SELECT 0x61646D696E", "SELECT admin")]
    [InlineData("0X4142434", "ABC4")]
    [InlineData("0x4", "0x4")]                        // needs one whole pair
    [InlineData("0x", "0x")]
    [InlineData("10x41", "1A")]
    [InlineData("0x41 and 0x42", "A and B")]
    public void Sql_hex_decode(string input, string expected)
    {
        Assert.Equal(expected, Transform.Run(TextTransformationType.SqlHexDecode, input));
    }
}
