using EdgeServer.Config;

namespace EdgeServer.Tests.Config;

/// <summary>Loads YAML under a fixed file name and asserts on the errors' exact positions and wording.</summary>
internal static class ConfigAssert
{
    public const string File = "test.yaml";

    /// <summary>A minimal valid config; tests append sections to it (it ends at line 4).</summary>
    public const string Listener = """
        listeners:
          - name: public
            address: 127.0.0.1:8080
        admin: {enabled: false}

        """;

    public static ConfigLoadResult Load(string yaml) => ConfigLoader.LoadYaml(yaml, File);

    public static EdgeServer.Config.Model.EdgeConfig Valid(string yaml)
    {
        var result = Load(yaml);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>The load fails and one of its errors is at line:column and contains every fragment.</summary>
    public static void HasError(string yaml, int line, int column, params string[] fragments)
    {
        var result = Load(yaml);
        Assert.False(result.Ok);
        Assert.Null(result.Config);
        var all = string.Join("\n", result.Errors);
        var error = result.Errors.FirstOrDefault(e => e.Mark.Line == line && e.Mark.Column == column);
        Assert.True(error is not null, $"no error at {line}:{column}; got:\n{all}");
        Assert.Equal(File, error.Mark.File);
        foreach (var fragment in fragments)
            Assert.True(error.Message.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' not in: {error}\nall:\n{all}");
        Assert.StartsWith($"{File}:{line}:{column}: ", error.ToString(), StringComparison.Ordinal);
    }
}
