using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Iris.Testing;

namespace Iris.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class IngestTests(CliFixture fixture)
{
    private static readonly string[] ImagingFiles = Directory.GetFiles(CliFixture.Corpus("imaging")).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Ingesting_a_folder_twice_uploads_once_and_skips_everything_the_second_time()
    {
        var dataset = await fixture.NewDatasetAsync("twice");

        var first = await fixture.JsonAsync("ingest", dataset, CliFixture.Corpus("imaging"), "--wait");
        Assert.Equal(ImagingFiles.Length, first["files"]!.GetValue<int>());
        Assert.Equal(ImagingFiles.Length, first["uploaded"]!.GetValue<int>());
        Assert.Equal(0, first["skipped"]!.GetValue<int>());
        Assert.True(first["waited"]!.GetValue<bool>());
        Assert.Equal(ImagingFiles.Length, first["statuses"]!["completed"]!.GetValue<int>());
        var images = first["images"]!.AsArray();
        Assert.Equal(ImagingFiles.Select(f => "file://" + f), images.Select(i => i!["path"]!.GetValue<string>()));
        Assert.All(images, i => Assert.Equal("completed", i!["status"]!.GetValue<string>()));

        var second = await fixture.JsonAsync("ingest", dataset, CliFixture.Corpus("imaging"), "--wait");
        Assert.Equal(0, second["uploaded"]!.GetValue<int>());
        Assert.Equal(ImagingFiles.Length, second["skipped"]!.GetValue<int>());
        Assert.Equal(ImagingFiles.Length, second["statuses"]!["completed"]!.GetValue<int>());
        Assert.Equal(images.Select(i => i!["coactiveImageId"]!.GetValue<string>()),
            second["images"]!.AsArray().Select(i => i!["coactiveImageId"]!.GetValue<string>()));

        // status and metadata agree with what was uploaded.
        var statuses = (await fixture.JsonAsync("status", dataset, CliFixture.Corpus("imaging"))).AsArray();
        Assert.Equal(ImagingFiles.Length, statuses.Count);
        Assert.All(statuses, s => Assert.Equal("completed", s!["status"]!.GetValue<string>()));
        var id = statuses[0]!["coactiveImageId"]!.GetValue<string>();
        var metadata = (await fixture.JsonAsync("metadata", id)).AsArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(ImagingFiles[0])));
        Assert.Equal(sha, metadata.Single()!["technicalMetadata"]!["sha256"]!.GetValue<string>());

        var dataset_ = await fixture.JsonAsync("datasets", "get", dataset);
        Assert.Equal(ImagingFiles.Length, dataset_["image_count"]!.GetValue<int>());
        Assert.Empty(first["jobs"]!.AsArray()); // local files are uploaded, not ingested by a job
    }

    [Fact]
    public async Task Images_that_end_in_error_are_listed_with_their_reasons_and_exit_7()
    {
        var dataset = await fixture.NewDatasetAsync("errors");
        var folder = CliFixture.Corpus("exif-fragments");

        var result = await fixture.IrisAsync("ingest", dataset, folder, "--wait", "--json");
        Assert.True(result.ExitCode == 7, result.ToString());
        var summary = CliFixture.Parse(result);
        var errors = summary["images"]!.AsArray().Where(i => i!["status"]!.GetValue<string>() == "error").ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e!["errorReason"]!.GetValue<string>().Length > 10, e.ToJsonString()));
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e!["errorCode"]!.GetValue<string>())));
        Assert.Equal(errors.Count, summary["statuses"]!["error"]!.GetValue<int>());
        Assert.True(summary["statuses"]!["completed"]!.GetValue<int>() >= 5); // the fragments that hold image data

        // People get a table of the errors; the second run skips everything and still says some images failed.
        var human = await fixture.IrisAsync("ingest", dataset, folder, "--wait");
        Assert.True(human.ExitCode == 7, human.ToString());
        Assert.Contains($"{errors.Count} images failed", human.Stdout);
        Assert.Contains(errors[0]!["errorCode"]!.GetValue<string>(), human.Stdout);
        Assert.Contains("0 uploaded", human.Stdout);

        var status = await fixture.IrisAsync("status", dataset, folder);
        Assert.True(status.ExitCode == 7, status.ToString());
    }

    [Fact]
    public async Task Changed_and_fixed_files_are_found_on_the_next_run()
    {
        var dataset = await fixture.NewDatasetAsync("changes");
        var folder = Directory.CreateTempSubdirectory("iris-cli-changes-").FullName;
        try
        {
            var photo = Path.Combine(folder, "photo.jpg");
            var broken = Path.Combine(folder, "broken.png");
            File.Copy(CliFixture.Corpus("imaging/orientation_1.jpg"), photo);
            await File.WriteAllTextAsync(broken, "not a png");
            File.SetLastWriteTimeUtc(broken, DateTime.UtcNow.AddMinutes(-10));

            var first = await fixture.IrisAsync("ingest", dataset, folder, "--wait", "--json");
            Assert.True(first.ExitCode == 7, first.ToString());

            // The photo's bytes change; the broken file is fixed (newer than its failed image).
            File.Copy(CliFixture.Corpus("imaging/orientation_2.jpg"), photo, overwrite: true);
            File.Copy(CliFixture.Corpus("imaging/flowers.png"), broken, overwrite: true);
            File.SetLastWriteTimeUtc(broken, DateTime.UtcNow.AddMinutes(1));

            var second = await fixture.IrisAsync("ingest", dataset, folder, "--wait", "--json");
            Assert.True(second.ExitCode == 0, second.ToString());
            var images = CliFixture.Parse(second)["images"]!.AsArray().ToDictionary(i => Path.GetFileName(i!["path"]!.GetValue<string>()));
            Assert.Equal("uploaded", images["broken.png"]!["action"]!.GetValue<string>());
            Assert.Equal("completed", images["broken.png"]!["status"]!.GetValue<string>());
            Assert.Equal("changed", images["photo.jpg"]!["action"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Globs_files_and_remote_paths_are_all_ingested()
    {
        var dataset = await fixture.NewDatasetAsync("mixed");
        var glob = Path.Combine(IrisTestServer.CorpusRoot, "go-image", "*.png");
        var pngs = Directory.GetFiles(CliFixture.Corpus("go-image"), "*.png");
        var single = CliFixture.Corpus("x-image") + "/" + Path.GetFileName(Directory.GetFiles(CliFixture.Corpus("x-image"), "*.webp")[0]);
        const string remote = "http://127.0.0.1:9/never/there.jpg";

        var result = await fixture.IrisAsync("ingest", dataset, glob, single, remote, "--wait", "--json");
        var summary = CliFixture.Parse(result);
        Assert.Equal(pngs.Length + 1, summary["files"]!.GetValue<int>());
        Assert.Equal(1, summary["added"]!.GetValue<int>());
        var added = summary["images"]!.AsArray().Single(i => i!["path"]!.GetValue<string>() == remote)!;
        Assert.Equal("added", added["action"]!.GetValue<string>());
        Assert.Equal("error", added["status"]!.GetValue<string>()); // nothing listens there
        Assert.False(string.IsNullOrEmpty(added["coactiveImageId"]!.GetValue<string>()));
        var job = Assert.Single(summary["jobs"]!.AsArray())!;
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal((1, 0, 1), (job["totalAssets"]!.GetValue<int>(), job["processedAssets"]!.GetValue<int>(), job["erroredAssets"]!.GetValue<int>()));
        Assert.True(result.ExitCode == 7, result.ToString());
    }

    [Fact]
    public async Task Remote_paths_go_in_one_ingest_job_per_1000()
    {
        var dataset = await fixture.NewDatasetAsync("batches");
        // Nothing listens on port 9: every image ends in error quickly, which is all this needs.
        var paths = Enumerable.Range(0, 1001).Select(i => $"http://127.0.0.1:9/batch/{i}.jpg").ToArray();

        var result = await fixture.IrisAsync(["ingest", dataset, .. paths, "--wait", "--json"]);
        Assert.True(result.ExitCode == 7, result.ToString());
        var summary = CliFixture.Parse(result);
        Assert.Equal(1001, summary["added"]!.GetValue<int>());
        var jobs = summary["jobs"]!.AsArray();
        Assert.Equal([1000, 1], jobs.Select(j => j!["totalAssets"]!.GetValue<int>()));
        Assert.All(jobs, j => Assert.Equal("completed", j!["status"]!.GetValue<string>()));
        Assert.Equal(1001, jobs.Sum(j => j!["erroredAssets"]!.GetValue<int>()));
        Assert.Equal(1001, summary["statuses"]!["error"]!.GetValue<int>());
        Assert.Equal(paths, summary["images"]!.AsArray().Select(i => i!["path"]!.GetValue<string>()));

        // Without --wait the jobs are created and the command returns.
        var quick = await fixture.IrisAsync("ingest", dataset, "http://127.0.0.1:9/batch/another.jpg", "--json");
        var quickJob = Assert.Single(CliFixture.Parse(quick)["jobs"]!.AsArray())!;
        Assert.Equal(1, quickJob["totalAssets"]!.GetValue<int>());
        Assert.False(CliFixture.Parse(quick)["waited"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_prefix_the_server_cannot_list_is_reported_and_exits_7()
    {
        var dataset = await fixture.NewDatasetAsync("prefix");
        var result = await fixture.IrisAsync("ingest", dataset, "http://127.0.0.1:9/folder/", "--wait", "--json");
        Assert.True(result.ExitCode == 7, result.ToString());
        var image = Assert.Single(CliFixture.Parse(result)["images"]!.AsArray())!;
        Assert.Equal("failed", image["action"]!.GetValue<string>());
        Assert.Contains("cannot list", image["errorReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ingest_without_wait_returns_after_sending()
    {
        var dataset = await fixture.NewDatasetAsync("nowait");
        var result = await fixture.IrisAsync("ingest", dataset, CliFixture.Corpus("pngsuite") + "/basn0g01-30.png");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 uploaded", result.Stdout);
    }
}
