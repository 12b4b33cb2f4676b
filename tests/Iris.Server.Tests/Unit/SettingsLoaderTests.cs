using Iris.Server.Hosting;

namespace Iris.Server.Tests.Unit;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iris-settings-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IrisOptions Load(string[] args, Dictionary<string, string>? env = null, string[]? switches = null) =>
        SettingsLoader.Load(args, name => env?.GetValueOrDefault(name), switches ?? [], out _);

    private static string Refused(string[] args, Dictionary<string, string>? env = null) =>
        Assert.Throws<SettingsException>(() => Load(args, env)).Message;

    private string File(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Defaults_hold_when_nothing_is_given()
    {
        var options = Load([]);
        var defaults = new IrisOptions();
        foreach (var (property, _) in SettingsLoader.Settings)
        {
            var value = property.GetValue(options);
            if (value is List<string> list) Assert.Empty(list);
            else Assert.Equal(property.GetValue(defaults), value);
        }
    }

    [Fact]
    public void Flags_beat_variables_which_beat_the_settings_file()
    {
        var file = File("""{"max-pixels": 30, "workers": 3, "http-timeout": 2.5, "allow-root": ["/a", "/b"], "s3-force-path-style": true}""");
        var options = Load(["--config", file, "--max-pixels", "10"], new() { ["IRIS_MAX_PIXELS"] = "20", ["IRIS_WORKERS"] = "5" });
        Assert.Equal(10, options.MaxPixels);
        Assert.Equal(5, options.Workers);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.HttpTimeout);
        Assert.Equal(["/a", "/b"], options.AllowedRoots);
        Assert.True(options.S3ForcePathStyle);

        var fromEnvFile = Load([], new() { ["IRIS_CONFIG"] = file });
        Assert.Equal(30, fromEnvFile.MaxPixels);
    }

    [Fact]
    public void Every_form_of_a_flag_is_read()
    {
        var options = Load(["--max-side=4000", "--allow-root", "/x", "--allow-root=/y", "--allow-private-network", "--s3-force-path-style=false",
            "--http-retry-delay-ms", "250", "--lease", "12", "--database", "Host=db;Password=p"]);
        Assert.Equal(4000, options.MaxSide);
        Assert.Equal(["/x", "/y"], options.AllowedRoots);
        Assert.True(options.AllowPrivateNetwork);
        Assert.False(options.S3ForcePathStyle);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.HttpRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(12), options.LeaseDuration);
        Assert.Equal("Host=db;Password=p", options.Database);
        Assert.Equal(["/p", "/q"], Load([], new() { ["IRIS_ALLOW_ROOTS"] = "/p:/q" }).AllowedRoots);
    }

    [Fact]
    public void Command_switches_are_reported_and_refused_elsewhere()
    {
        SettingsLoader.Load(["--no-workers", "--workers", "2"], _ => null, ["--no-workers"], out var given);
        Assert.Equal(["--no-workers"], given);
        Assert.Contains("Unknown option --no-workers", Refused(["--no-workers"]));
    }

    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "Unknown option --bogus")]
    [InlineData(new[] { "--max-pixel", "5" }, "Unknown option --max-pixel")] // a typo never runs with the default
    [InlineData(new[] { "serve" }, "Unexpected argument 'serve'")]
    [InlineData(new[] { "--workers" }, "--workers needs a value (--workers N)")]
    [InlineData(new[] { "--workers", "--data", "x" }, "--workers needs a value")]
    [InlineData(new[] { "--workers", "0" }, "--workers must be a whole number from 1 to 256, not '0'")]
    [InlineData(new[] { "--workers", "2", "--workers", "3" }, "--workers is given twice")]
    [InlineData(new[] { "--max-pixels", "1e9" }, "--max-pixels must be a whole number from 1 to 9223372036854775807, not '1e9'")]
    [InlineData(new[] { "--http-timeout", "0" }, "--http-timeout must be a number of seconds from 0.001 to 3600, not '0'")]
    [InlineData(new[] { "--http-timeout", "NaN" }, "--http-timeout must be a number of seconds")]
    [InlineData(new[] { "--allow-private-network=maybe" }, "--allow-private-network must be true or false, not 'maybe'")]
    [InlineData(new[] { "--s3-endpoint", "ftp://x" }, "--s3-endpoint must be an http:// or https:// URL, not 'ftp://x'")]
    [InlineData(new[] { "--config", "/nonexistent/iris.json" }, "The settings file /nonexistent/iris.json does not exist")]
    public void Bad_command_lines_are_refused_with_a_sentence(string[] args, string expected) =>
        Assert.Contains(expected, Refused(args));

    [Fact]
    public void A_bad_variable_is_named_in_the_message()
    {
        Assert.Equal("--max-side must be a whole number from 1 to 2147483647, not 'big' (from IRIS_MAX_SIDE).",
            Refused([], new() { ["IRIS_MAX_SIDE"] = "big" }));
        Assert.Equal("--rate-limit must be a whole number from 0 to 1000000, not '-1' (from IRIS_RATE_LIMIT).",
            Refused([], new() { ["IRIS_RATE_LIMIT"] = "-1" }));
    }

    [Fact]
    public void Settings_files_with_unknown_keys_bad_values_or_bad_json_are_refused()
    {
        Assert.Contains("Unknown setting 'max_pixels'", Refused(["--config", File("""{"max_pixels": 5}""")]));
        Assert.Contains("is not a JSON object of settings", Refused(["--config", File("{ not json")]));
        var bad = File("""{"workers": "many"}""");
        Assert.Equal($"--workers must be a whole number from 1 to 256, not 'many' (from {bad}).", Refused(["--config", bad]));
        Assert.Contains("must be one value, not a list", Refused(["--config", File("""{"workers": [1, 2]}""")]));
    }

    [Fact]
    public void A_secret_setting_is_never_echoed()
    {
        var message = Refused(["--database", "Host=x;Password=hunter2", "--database", "y"]);
        Assert.DoesNotContain("hunter2", message);
    }

    [Fact]
    public void The_readme_table_lists_every_setting_with_its_variable_and_default()
    {
        var readme = System.IO.File.ReadAllLines(Path.Combine(Iris.Testing.TestEnvironment.RepoRoot, "README.md"));
        var missing = new List<string>();
        var table = new List<string>();
        foreach (var (property, setting) in SettingsLoader.Settings)
        {
            var flag = setting.Value is null ? $"`{setting.Flag}`" : $"`{setting.Flag} {setting.Value}`";
            var row = readme.FirstOrDefault(line => line.StartsWith($"| {flag} |", StringComparison.Ordinal));
            var expected = $"| {flag} | `{setting.Variable}` | {SettingsLoader.DefaultText(property, setting)} |";
            table.Add(expected + " " + setting.Description + " |");
            if (row is null || !row.StartsWith(expected, StringComparison.Ordinal)) missing.Add(expected);
        }
        Assert.True(missing.Count == 0, "README.md's settings table is out of date: " + string.Join(", ", missing)
            + "\nThe table as the declarations give it:\n" + string.Join("\n", table));
    }
}
