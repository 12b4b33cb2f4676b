using System.Diagnostics;
using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Server.Tests;

/// <summary>
/// The served /openapi/v1.json passes <c>@redocly/cli lint</c> with its recommended rules: no errors, no warnings.
/// Redocly is pinned in tests/servers (installed by scripts/test.sh).
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class OpenApiLintTests(ServerFixture server)
{
    [Fact]
    public async Task The_api_document_is_lint_clean_with_redoclys_recommended_rules()
    {
        var redocly = Path.Combine(TestEnvironment.RepoRoot, "tests", "servers", "node_modules", ".bin", "redocly");
        if (!File.Exists(redocly))
            throw new InvalidOperationException($"@redocly/cli is not installed ({redocly} is missing): scripts/test.sh installs it (npm ci in tests/servers).");
        var document = Expect.Ok(await server.Anonymous.GetAsync("/openapi/v1.json"));
        var file = Path.Combine(Path.GetTempPath(), $"iris-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.ToJsonString());
        try
        {
            var psi = new ProcessStartInfo(redocly) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "lint", file, "--format", "json", "--extends", "recommended" }) psi.ArgumentList.Add(arg);
            psi.Environment["REDOCLY_TELEMETRY"] = "off";
            psi.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            var output = await stdout;
            var start = output.IndexOf('{');
            Assert.True(start >= 0, $"redocly printed no JSON (exit {process.ExitCode}):\n{output}\n{await stderr}");
            var report = JsonNode.Parse(output[start..])!;
            var problems = report["problems"]!.AsArray()
                .Select(p => $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}").ToList();
            Assert.True(problems.Count == 0, $"redocly lint found {problems.Count} problems:\n" + string.Join("\n", problems));
            Assert.Equal(0, report["totals"]!["errors"]!.GetValue<int>());
            Assert.Equal(0, report["totals"]!["warnings"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
