using System.Reflection;
using System.Security.Cryptography;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>
/// The digest comparison must not stop at the first differing byte. A timing test cannot tell 32-byte
/// comparisons apart reliably, so this checks the compiled method: it calls
/// <see cref="CryptographicOperations.FixedTimeEquals"/> and no early-exit comparison.
/// </summary>
public sealed class ApiKeyConstantTimeTests
{
    [Fact]
    public void TryAuthenticate_compares_digests_with_FixedTimeEquals_only()
    {
        var method = typeof(ApiKeyStore).GetMethod(nameof(ApiKeyStore.TryAuthenticate))!;
        var called = CalledMethods(method).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToList();

        Assert.Contains($"{nameof(CryptographicOperations)}.{nameof(CryptographicOperations.FixedTimeEquals)}", called);
        Assert.Contains($"{nameof(SHA256)}.{nameof(SHA256.HashData)}", called);
        Assert.DoesNotContain(called, name => name.EndsWith(".SequenceEqual", StringComparison.Ordinal)
            || name.EndsWith(".SequenceCompareTo", StringComparison.Ordinal)
            || name.EndsWith(".Equals", StringComparison.Ordinal) && !name.StartsWith(nameof(CryptographicOperations), StringComparison.Ordinal));
    }

    /// <summary>Targets of call/callvirt (0x28/0x6F) whose token resolves to a method; other bytes are skipped.</summary>
    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F)) continue;
            var token = BitConverter.ToInt32(il, i + 1);
            if ((token >> 24) is not (0x06 or 0x0A or 0x2B)) continue;
            MethodBase? target = null;
            try
            {
                target = method.Module.ResolveMethod(token, method.DeclaringType!.GetGenericArguments(), null);
            }
            catch (ArgumentException)
            {
            }
            if (target is not null) yield return target;
        }
    }
}
