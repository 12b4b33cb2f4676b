using Iris.Models;

using Iris.Catalog.Tests.Engines;

namespace Iris.Catalog.Tests;

/// <summary>Migration 2: sha256, perceptual hash and preview key per image; previews, duplicates and their deletion.</summary>
public abstract class PreviewAndDuplicateTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private const long Hash = 0x0F0F_1234_5678_9ABC;

    private sealed record Done(string Path, string? Sha256, long? PerceptualHash, string? PreviewKey, bool Failed = false);

    /// <summary>Adds the images to the dataset and ends each one as given (completed unless failed).</summary>
    private async Task<Dictionary<string, Guid>> IngestAsync(Guid orgId, Guid datasetId, params Done[] images)
    {
        var added = await AddAsync(orgId, datasetId, T0, [.. images.Select(i => Img(i.Path))]);
        var jobs = await Catalog.Queue.ClaimAsync("w", images.Length, Lease, T0);
        var ids = added.ToDictionary(a => a.Path, a => a.Id);
        foreach (var image in images)
        {
            var job = jobs.Single(j => j.ImageId == ids[image.Path]);
            var outcome = image.Failed
                ? Failed(job.ImageId, T0) with { Sha256 = image.Sha256, PerceptualHash = image.PerceptualHash, PreviewKey = image.PreviewKey }
                : Completed(job.ImageId, T0) with { Sha256 = image.Sha256, PerceptualHash = image.PerceptualHash, PreviewKey = image.PreviewKey };
            Assert.True(await Catalog.Queue.CompleteAsync(job, "w", outcome, T0.AddSeconds(1)));
        }
        return ids;
    }

    [Fact]
    public async Task Completion_stores_the_hashes_and_the_preview_key()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var ids = await IngestAsync(org.Id, ds.Id, new Done("a", "sha-a", -5, "previews/aa/a.webp"));

        Assert.Equal(new ImagePreview(ImageStatus.Completed, "previews/aa/a.webp"), await Catalog.Images.GetPreviewAsync(org.Id, ids["a"]));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images WHERE sha256 = 'sha-a' AND phash = -5"));
    }

    [Fact]
    public async Task An_error_keeps_the_sha256_but_never_a_hash_or_preview()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var ids = await IngestAsync(org.Id, ds.Id, new Done("bad", "sha-bad", 7, "previews/xx/bad.webp", Failed: true));

        Assert.Equal(new ImagePreview(ImageStatus.Error, null), await Catalog.Images.GetPreviewAsync(org.Id, ids["bad"]));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images WHERE sha256 = 'sha-bad' AND phash IS NULL AND preview_key IS NULL"));
    }

    [Fact]
    public async Task Preview_of_a_pending_unknown_or_foreign_image()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var pending = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];
        var other = await OrgAsync("other");

        Assert.Equal(new ImagePreview(ImageStatus.Pending, null), await Catalog.Images.GetPreviewAsync(org.Id, pending.Id));
        Assert.Null(await Catalog.Images.GetPreviewAsync(other.Id, pending.Id));
        Assert.Null(await Catalog.Images.GetPreviewAsync(org.Id, Guid.NewGuid()));
    }

    [Fact]
    public async Task Duplicates_are_exact_copies_first_then_nearest_within_the_distance()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var elsewhere = await DatasetAsync(org.Id, "elsewhere");
        var ids = await IngestAsync(org.Id, ds.Id,
            new Done("a", "s1", Hash, "k/a"),
            new Done("same-bytes", "s1", Hash, "k/b"),
            new Done("same-look", "s2", Hash, "k/c"), // distance 0 but other bytes: after the exact copy
            new Done("one-bit", "s3", Hash ^ 0x10, "k/d"),
            new Done("three-bits", "s4", Hash ^ 0x7000_0000_0000_0000, "k/e"),
            new Done("far", "s5", ~Hash, "k/f"),
            new Done("failed-copy", "s1", null, null, Failed: true));
        await IngestAsync(org.Id, elsewhere.Id, new Done("copy-elsewhere", "s1", Hash, "k/g"));
        await AddAsync(org.Id, ds.Id, T0, Img("pending"));

        var search = await Catalog.Images.FindDuplicatesAsync(org.Id, ids["a"], maxDistance: 8, limit: 100);
        Assert.Equal(ImageStatus.Completed, search!.Status);
        Assert.Equal(
            [
                new DuplicateImage(ids["same-bytes"], "same-bytes", 0, true),
                new DuplicateImage(ids["same-look"], "same-look", 0, false),
                new DuplicateImage(ids["one-bit"], "one-bit", 1, false),
                new DuplicateImage(ids["three-bits"], "three-bits", 3, false),
            ],
            search.Duplicates);

        Assert.Equal(["same-bytes", "same-look", "one-bit"],
            (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["a"], 2, 100))!.Duplicates.Select(d => d.Path));
        Assert.Equal(["same-bytes"], (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["a"], 0, 1))!.Duplicates.Select(d => d.Path));
        Assert.Equal(["same-bytes", "same-look"], (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["a"], 64, 2))!.Duplicates.Select(d => d.Path));
        Assert.Equal(64, (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["a"], 64, 100))!.Duplicates.Single(d => d.Path == "far").Distance);

        // From the near copy's side the three alike are near, not exact (ties come in id order).
        Assert.Equal([("a", 1, false), ("same-bytes", 1, false), ("same-look", 1, false)],
            (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["one-bit"], 1, 100))!.Duplicates
                .Select(d => (d.Path, d.Distance, d.Exact)).Order());
    }

    [Fact]
    public async Task Duplicates_of_an_unfinished_unknown_or_foreign_image()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var ids = await IngestAsync(org.Id, ds.Id, new Done("a", "s1", Hash, "k/a"), new Done("bad", "s1", null, null, Failed: true));
        var pending = (await AddAsync(org.Id, ds.Id, T0, Img("p")))[0];
        var other = await OrgAsync("other");

        Assert.Equal(ImageStatus.Pending, (await Catalog.Images.FindDuplicatesAsync(org.Id, pending.Id, 8, 10))!.Status);
        Assert.Empty((await Catalog.Images.FindDuplicatesAsync(org.Id, pending.Id, 8, 10))!.Duplicates);
        Assert.Equal(ImageStatus.Error, (await Catalog.Images.FindDuplicatesAsync(org.Id, ids["bad"], 8, 10))!.Status);
        Assert.Empty((await Catalog.Images.FindDuplicatesAsync(org.Id, ids["bad"], 8, 10))!.Duplicates);
        Assert.Null(await Catalog.Images.FindDuplicatesAsync(other.Id, ids["a"], 8, 10));
        Assert.Null(await Catalog.Images.FindDuplicatesAsync(org.Id, Guid.NewGuid(), 8, 10));
    }

    [Fact]
    public async Task Deleting_a_dataset_returns_its_preview_keys_only()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var kept = await DatasetAsync(org.Id, "kept");
        await IngestAsync(org.Id, ds.Id, new Done("a", "s1", 1, "previews/1/a.webp"), new Done("b", "s2", 2, "previews/2/b.webp"),
            new Done("bad", "s3", null, null, Failed: true));
        await IngestAsync(org.Id, kept.Id, new Done("c", "s1", 1, "previews/3/c.webp"));

        var deletion = await Catalog.Datasets.DeleteAsync(org.Id, ds.Id);
        Assert.Equal(["previews/1/a.webp", "previews/2/b.webp"], deletion!.PreviewKeys.Order(StringComparer.Ordinal));
        Assert.Equal("previews/3/c.webp", (await Catalog.Images.GetPreviewAsync(org.Id, (await Catalog.Images.GetStatusesAsync(org.Id, kept.Id, ["c"]))[0].ImageId!.Value))!.PreviewKey);
    }
}

public sealed class SqlitePreviewAndDuplicateTests() : PreviewAndDuplicateTests(new SqliteTestEngine());

public sealed class PostgresPreviewAndDuplicateTests() : PreviewAndDuplicateTests(new PostgresTestEngine());
