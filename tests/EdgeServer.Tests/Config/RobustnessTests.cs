using EdgeServer.Config;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>Bad input of any shape ends in errors, never in an exception.</summary>
public sealed class RobustnessTests
{
    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow() =>
        HasError("listeners: " + new string('[', 10_000), 1, 75, "nesting is deeper than 64 levels");

    [Fact]
    public void Alias_expansion_bomb_is_an_error()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 9; i++)
            yaml += $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat(i == 1 ? "*a" : $"*a{i - 1}", 10))}]\n";
        var error = Assert.Single(Load(yaml).Errors);
        Assert.Contains("expands to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_and_character_deletion_of_the_default_config_loads_or_reports_errors()
    {
        EdgeServer.Tests.Config.DefaultConfigCertificates.Ensure();
        var yaml = DefaultConfig.Yaml;
        for (int i = 0; i < yaml.Length; i += 3)
        {
            Check(yaml[..i]);
            Check(yaml.Remove(i, 1));
            Check(yaml.Insert(i, i % 2 == 0 ? "[" : "\"x: "));
        }

        static void Check(string text)
        {
            var result = ConfigLoader.LoadYaml(text, "fuzz.yaml");
            Assert.True(result.Ok || result.Errors.Count > 0);
            Assert.Equal(result.Ok, result.Config is not null);
        }
    }
}
