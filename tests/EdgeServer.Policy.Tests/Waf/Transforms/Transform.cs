using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Tests.Waf.Transforms;

/// <summary>Runs a transformation both into a separate buffer and in place, and insists they agree.</summary>
internal static class Transform
{
    public static string Run(TextTransformationType type, string input)
    {
        var separate = new char[input.Length];
        int separateLength = TextTransformations.Apply(type, input, separate);

        char[] inPlace = input.ToCharArray();
        int inPlaceLength = TextTransformations.Apply(type, inPlace, inPlace);

        var result = new string(separate, 0, separateLength);
        Assert.Equal(result, new string(inPlace, 0, inPlaceLength));
        Assert.True(result.Length <= input.Length);
        return result;
    }
}
