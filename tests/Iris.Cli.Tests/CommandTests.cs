using System.Text.Json;
using Iris.Testing;

namespace Iris.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class CommandTests(CliFixture fixture)
{
    [Fact]
    public async Task Datasets_can_be_created_listed_shown_and_deleted()
    {
        var name = CliFixture.UniqueName("crud");
        var created = await fixture.JsonAsync("datasets", "create", name, "--description", "from the CLI");
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("from the CLI", created["description"]!.GetValue<string>());
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal("multimodal", created["encoders"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(0, created["image_count"]!.GetValue<int>());

        var list = (await fixture.JsonAsync("datasets", "list")).AsArray();
        Assert.Contains(list, d => d!["id"]!.GetValue<string>() == id);
        Assert.Equal(id, (await fixture.JsonAsync("datasets", "get", name))["id"]!.GetValue<string>());
        Assert.Equal(name, (await fixture.JsonAsync("datasets", "get", id))["name"]!.GetValue<string>());

        var table = await fixture.IrisAsync("datasets", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(name, table.Stdout);
        Assert.Contains(id, table.Stdout);
        var shown = await fixture.IrisAsync("datasets", "get", name);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("multimodal", shown.Stdout);
        Assert.Contains(fixture.Server.Credential.ClientId, shown.Stdout);

        var deleted = await fixture.IrisAsync("datasets", "delete", name);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains($"Deleted dataset {name}", deleted.Stdout);
        var gone = await fixture.IrisAsync("datasets", "get", id);
        Assert.Equal(5, gone.ExitCode);

        var other = CliFixture.UniqueName("gone");
        await fixture.JsonAsync("datasets", "create", other);
        var deletedJson = await fixture.JsonAsync("datasets", "delete", other, "--yes");
        Assert.Equal("deleted", deletedJson["status"]!.GetValue<string>());
        Assert.NotNull(deletedJson["deleted_dt"]);
    }

    [Fact]
    public async Task A_dataset_can_name_its_encoder_and_a_wrong_one_is_a_usage_error()
    {
        var name = CliFixture.UniqueName("encoder");
        var created = await fixture.JsonAsync("datasets", "create", name, "--encoder", "resnet-50");
        Assert.Equal("resnet-50", created["encoders"]![0]!["name"]!.GetValue<string>());

        var wrong = await fixture.IrisAsync("datasets", "create", CliFixture.UniqueName("encoder"), "--encoder", "clip");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("multimodal", wrong.Stderr); // the message lists the encoders there are
    }

    [Fact]
    public void The_first_start_secret_stays_out_of_a_server_log()
    {
        // The test server's output is a pipe, as under a service manager: the secret is only in the owner-only file.
        var credential = fixture.Server.Credential;
        var output = fixture.Server.Output;
        Assert.Contains(credential.ClientId, output);
        Assert.Contains(Path.Combine(fixture.Server.DataDir, "credentials.json"), output);
        Assert.DoesNotContain(credential.ClientSecret, output);
    }

    [Fact]
    public async Task Status_of_a_path_never_added_exits_5()
    {
        var name = await fixture.NewDatasetAsync("status");
        var missing = await fixture.IrisAsync("status", name, "s3://never/added.jpg");
        Assert.True(missing.ExitCode == 5, missing.ToString());
        Assert.Contains("not_found", missing.Stdout);
        var json = await fixture.IrisAsync("status", name, "s3://never/added.jpg", "--json");
        Assert.Equal(5, json.ExitCode);
        Assert.Equal("not_found", CliFixture.Parse(json)[0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Credentials_come_from_flags_or_environment_too()
    {
        var name = await fixture.NewDatasetAsync("creds");
        var credential = fixture.Server.Credential;
        var byFlags = await fixture.IrisWithAsync(new Dictionary<string, string>(),
            "datasets", "get", name, "--host", fixture.Server.Host, "--client-id", credential.ClientId, "--client-secret", credential.ClientSecret, "--json");
        Assert.True(byFlags.ExitCode == 0, byFlags.ToString());

        var byEnvironment = await fixture.IrisWithAsync(new Dictionary<string, string>
        {
            ["IRIS_HOST"] = fixture.Server.Host, ["IRIS_CLIENT_ID"] = credential.ClientId, ["IRIS_CLIENT_SECRET"] = credential.ClientSecret,
        }, "datasets", "get", name, "--json");
        Assert.True(byEnvironment.ExitCode == 0, byEnvironment.ToString());

        // Another organization does not see it.
        var other = await fixture.Server.CreateClientAsync("cli-other");
        var hidden = await fixture.IrisWithAsync(new Dictionary<string, string>(),
            "datasets", "get", name, "--host", fixture.Server.Host, "--client-id", other.ClientId, "--client-secret", other.ClientSecret);
        Assert.Equal(5, hidden.ExitCode);
    }

    [Fact]
    public async Task Bad_credentials_exit_4_with_one_line()
    {
        var result = await fixture.IrisWithAsync(new Dictionary<string, string>(),
            "datasets", "list", "--host", fixture.Server.Host, "--client-id", fixture.Server.Credential.ClientId, "--client-secret", "wrong");
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("iris: ", line);
        Assert.Contains("rejected the credentials", line);

        var none = await fixture.IrisWithAsync(new Dictionary<string, string> { ["IRIS_HOST"] = fixture.Server.Host, ["IRIS_DATA"] = fixture.WorkDir },
            "datasets", "list");
        Assert.Equal(4, none.ExitCode);
        Assert.Contains("No credentials", none.Stderr);

        var half = await fixture.IrisWithAsync(new Dictionary<string, string>(), "datasets", "list", "--host", fixture.Server.Host, "--client-id", "x");
        Assert.Equal(4, half.ExitCode);
    }

    [Fact]
    public async Task An_unknown_dataset_exits_5()
    {
        var byName = await fixture.IrisAsync("ingest", "no_such_dataset", CliFixture.Corpus("imaging/branches.jpg"));
        Assert.Equal(5, byName.ExitCode);
        Assert.Equal("iris: No dataset named 'no_such_dataset' (see 'iris datasets list').", byName.Stderr.Trim());

        var byId = await fixture.IrisAsync("status", Guid.NewGuid().ToString(), "s3://b/k.jpg");
        Assert.Equal(5, byId.ExitCode);
        Assert.StartsWith("iris: No dataset with id", byId.Stderr.Trim());

        var image = await fixture.IrisAsync("metadata", Guid.NewGuid().ToString());
        Assert.Equal(5, image.ExitCode);
        Assert.StartsWith("iris: Image not found", image.Stderr.Trim());
    }

    [Fact]
    public async Task An_unreachable_server_exits_3()
    {
        var result = await fixture.IrisWithAsync(new Dictionary<string, string> { ["IRIS_DATA"] = fixture.Server.DataDir },
            "datasets", "list", "--host", $"http://127.0.0.1:{TestEnvironment.FreePort()}");
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("iris: Cannot reach the Iris server at http://127.0.0.1:", result.Stderr.Trim());
    }

    [Fact]
    public async Task Usage_errors_and_name_conflicts_have_their_own_codes()
    {
        Assert.Equal(2, (await fixture.IrisAsync("frobnicate")).ExitCode);
        Assert.Equal(2, (await fixture.IrisAsync("ingest", "x")).ExitCode); // no PATH
        Assert.Equal(2, (await fixture.IrisAsync("metadata", "not-a-uuid")).ExitCode);
        Assert.Equal(2, (await fixture.IrisAsync("datasets", "create", "bad name")).ExitCode);
        var missing = await fixture.IrisAsync("ingest", "x", "/no/such/folder");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("/no/such/folder: no such file or folder", missing.Stderr);

        var name = await fixture.NewDatasetAsync("taken");
        var conflict = await fixture.IrisAsync("datasets", "create", name);
        Assert.Equal(6, conflict.ExitCode);
        Assert.Contains("already exists", conflict.Stderr);
    }

    [Fact]
    public async Task Unknown_options_and_bad_settings_are_refused_at_start()
    {
        var bogus = await fixture.IrisAsync("serve", "--bogus", "1");
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("Unknown option --bogus", bogus.Stderr);
        var typo = await fixture.IrisAsync("serve", "--max-pixel", "5"); // not --max-pixels
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("Unknown option --max-pixel", typo.Stderr);
        var bad = await fixture.IrisWithAsync(new Dictionary<string, string> { ["IRIS_WORKERS"] = "lots" }, "worker");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--workers must be a whole number from 1 to 256, not 'lots' (from IRIS_WORKERS).", bad.Stderr);
        var client = await fixture.IrisAsync("datasets", "list", "--bogus");
        Assert.Equal(2, client.ExitCode);
        Assert.Contains("Unknown option 'bogus'", client.Stderr);

        var help = await fixture.IrisAsync("serve", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--max-pixels PIXELS", help.Stdout);
        Assert.Contains("IRIS_MAX_PIXELS", help.Stdout);
    }

    [Fact]
    public async Task Help_shows_examples()
    {
        var result = await fixture.IrisAsync("ingest", "--help");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("EXAMPLES", result.Stdout);
        Assert.Contains("--wait", result.Stdout);
        Assert.Contains("ingest holidays", result.Stdout);

        var root = await fixture.IrisAsync("--help");
        foreach (var command in new[] { "serve", "worker", "admin", "datasets", "clients", "ingest", "status", "metadata", "preview" })
            Assert.Contains(command, root.Stdout);
    }

    [Fact]
    public async Task Preview_writes_the_thumbnail_once_the_route_exists()
    {
        var dataset = await fixture.NewDatasetAsync("preview");
        var ingest = await fixture.JsonAsync("ingest", dataset, CliFixture.Corpus("imaging/orientation_6.jpg"), "--wait");
        var id = ingest["images"]![0]!["coactiveImageId"]!.GetValue<string>();
        var file = Path.Combine(fixture.WorkDir, $"{Guid.NewGuid():N}.img");

        var result = await fixture.IrisAsync("preview", id, "-o", file);
        using var http = new HttpClient();
        var openApi = JsonDocument.Parse(await http.GetStringAsync(fixture.Server.Host + "/openapi/v1.json"));
        if (!openApi.RootElement.GetProperty("paths").TryGetProperty("/api/v1/images/{asset_id}/preview", out _))
        {
            // Not on this server yet: a one-line not-found, no file.
            Assert.Equal(5, result.ExitCode);
            Assert.StartsWith($"iris: No preview for image {id}", result.Stderr.Trim());
            Assert.False(File.Exists(file));
            return;
        }
        Assert.True(result.ExitCode == 0, result.ToString());
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.True(bytes.Length > 100);
        Assert.Equal(5, (await fixture.IrisAsync("preview", Guid.NewGuid().ToString(), "-o", file)).ExitCode);
    }
}
