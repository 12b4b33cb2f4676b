using System.IO.Compression;
using System.Xml.Linq;
using Iris.Testing;

namespace Iris.Cli.Tests;

/// <summary>
/// The SDK packs as a NuGet package (README, XML docs, SourceLink, symbols) and the CLI as a .NET tool that installs
/// from a local folder and runs. Packs what the test run built (<c>--no-build</c>): the build the tests use is not touched.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iris-packages-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static Task<ProcessResult> DotnetAsync(params string[] args) =>
        IrisTestServer.RunAsync(IrisTestServer.DotnetStartInfo(TestEnvironment.RepoRoot, args), TimeSpan.FromMinutes(5));

    [Fact]
    public async Task The_sdk_packs_with_docs_and_sources_and_the_cli_installs_as_a_tool_that_runs()
    {
        var packages = Path.Combine(_dir, "packages");
        foreach (var project in new[] { "src/Iris.Client", "src/Iris.Cli" })
        {
            var pack = await DotnetAsync("pack", project, "-c", TestEnvironment.BuildConfiguration, "--no-build", "-o", packages, "-nologo");
            Assert.True(pack.ExitCode == 0, pack.ToString());
        }

        var sdk = Assert.Single(Directory.GetFiles(packages, "Iris.Client.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(packages, "Iris.Client.*.snupkg"));
        using (var zip = ZipFile.OpenRead(sdk))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", entries);
            Assert.Contains("lib/net10.0/Iris.Client.dll", entries);
            Assert.Contains("lib/net10.0/Iris.Client.xml", entries);
            using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            Assert.Equal("README.md", metadata.Elements().Single(e => e.Name.LocalName == "readme").Value);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value); // SourceLink knows the sources' commit
        }

        var tools = Path.Combine(_dir, "tools");
        var install = await DotnetAsync("tool", "install", "Iris.Cli", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources");
        Assert.True(install.ExitCode == 0, install.ToString());
        var version = await IrisTestServer.RunAsync(new System.Diagnostics.ProcessStartInfo(Path.Combine(tools, "iris"), ["--version"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }, TimeSpan.FromMinutes(1));
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
    }
}
