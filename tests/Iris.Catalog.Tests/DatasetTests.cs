using Iris.Models;

using Iris.Blobs;
using Iris.Catalog.Tests.Engines;
using Iris.Datasets;

namespace Iris.Catalog.Tests;

public abstract class DatasetTests(TestEngine engine) : CatalogTestBase(engine)
{
    [Fact]
    public async Task Create_returns_the_dataset_and_get_reads_it_back()
    {
        var org = await OrgAsync();
        var id = Guid.NewGuid();
        var created = await Catalog.Datasets.TryCreateAsync(
            new Dataset(id, org.Id, "GameOfThrones", null, Client, T0, "c2", T0.AddSeconds(1), 42));

        Assert.NotNull(created);
        Assert.Equal(0, created.ImageCount);
        Assert.Equal(Micro(T0), created.CreatedAt);
        Assert.Equal(created, await Catalog.Datasets.GetAsync(org.Id, id));
    }

    [Fact]
    public async Task Names_are_unique_per_org_but_another_org_may_reuse_them()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        await DatasetAsync(a.Id, "shared");

        var duplicate = await Catalog.Datasets.TryCreateAsync(
            new Dataset(Guid.NewGuid(), a.Id, "shared", null, Client, T0, Client, T0, 0));
        Assert.Null(duplicate);

        var inB = await DatasetAsync(b.Id, "shared");
        Assert.Equal(b.Id, inB.OrgId);
        Assert.Equal(2, Scalar("SELECT COUNT(*) FROM datasets"));
    }

    [Fact]
    public async Task Get_with_another_org_returns_null()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        var dataset = await DatasetAsync(a.Id);

        Assert.Null(await Catalog.Datasets.GetAsync(b.Id, dataset.Id));
        Assert.Null(await Catalog.Datasets.GetAsync(a.Id, Guid.NewGuid()));
    }

    [Fact]
    public async Task List_pages_oldest_first_with_id_breaking_ties_and_counts_the_total()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        var expected = new List<Dataset>();
        for (int i = 0; i < 5; i++)
        {
            // created in reverse time order so insertion order is not what orders them
            expected.Add(await DatasetAsync(a.Id, $"d{i}", T0.AddMinutes(10 - i)));
        }

        // two datasets at the same instant: the id orders them
        await DatasetAsync(a.Id, "tie1", T0, new Guid("00000000-0000-0000-0000-000000000002"));
        await DatasetAsync(a.Id, "tie0", T0, new Guid("00000000-0000-0000-0000-000000000001"));
        await DatasetAsync(b.Id, "elsewhere");

        var all = (await Catalog.Datasets.ListAsync(a.Id, 0, 100)).Items.Select(d => d.Name).ToList();
        Assert.Equal(["tie0", "tie1", "d4", "d3", "d2", "d1", "d0"], all);

        var (page, total) = await Catalog.Datasets.ListAsync(a.Id, 2, 3);
        Assert.Equal(7, total);
        Assert.Equal(["d4", "d3", "d2"], page.Select(d => d.Name));
        Assert.Equal(expected[4], page[0]);

        var (beyond, total2) = await Catalog.Datasets.ListAsync(a.Id, 50, 10);
        Assert.Empty(beyond);
        Assert.Equal(7, total2);

        var (none, zero) = await Catalog.Datasets.ListAsync(Guid.NewGuid(), 0, 10);
        Assert.Empty(none);
        Assert.Equal(0, zero);
    }

    [Fact]
    public async Task Delete_removes_images_jobs_events_and_returns_the_blobs_they_used()
    {
        var a = await OrgAsync("a");
        var b = await OrgAsync("b");
        var doomed = await DatasetAsync(a.Id, "doomed");
        var keeper = await DatasetAsync(b.Id, "keeper");
        var added = await AddAsync(a.Id, doomed.Id, T0,
            Img("upload://s1/a.jpg", blob: "s1"), Img("upload://s2/b.jpg", blob: "s2"),
            Img("upload://s1/c.jpg", blob: "s1"), Img("s3://bucket/x.jpg"));
        await AddAsync(b.Id, keeper.Id, T0, Img("upload://s2/b.jpg", blob: "s2"));
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, TimeSpan.FromMinutes(1), T0));
        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0), T0));

        Assert.Null(await Catalog.Datasets.DeleteAsync(b.Id, doomed.Id));

        var deletion = await Catalog.Datasets.DeleteAsync(a.Id, doomed.Id);

        Assert.NotNull(deletion);
        Assert.Equal(doomed.Id, deletion.Dataset.Id);
        Assert.Equal(1, deletion.Dataset.ImageCount);
        Assert.Equal(["s1", "s2"], deletion.BlobSha256s.Order(StringComparer.Ordinal));
        Assert.Null(await Catalog.Datasets.GetAsync(a.Id, doomed.Id));
        Assert.Null(await Catalog.Images.GetAsync(a.Id, added[0].Id));
        Assert.Null(await Catalog.Images.GetEventsAsync(a.Id, added[0].Id));
        Assert.Equal(1, await Catalog.Queue.CountAsync()); // the other org's job only
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM images"));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM image_events"));
        Assert.Null(await Catalog.Datasets.DeleteAsync(a.Id, doomed.Id));
    }

    [Fact]
    public async Task The_service_deletes_an_upload_blob_once_no_image_of_any_organization_uses_it()
    {
        var (org, first) = await OrgAndDatasetAsync("a");
        var second = await DatasetAsync(org.Id, "second");
        var (otherOrg, foreign) = await OrgAndDatasetAsync("b");
        var blobs = new MemoryBlobStore();
        foreach (var sha in new[] { "s", "t", "u" }) await blobs.PutAsync(BlobKeys.Upload(sha + new string('0', 63)), new byte[] { 1 });
        string Sha(string s) => s + new string('0', 63);
        await AddAsync(org.Id, first.Id, T0, Img("upload://s/a.jpg", blob: Sha("s")), Img("upload://t/b.jpg", blob: Sha("t")), Img("upload://u/c.jpg", blob: Sha("u")));
        await AddAsync(org.Id, second.Id, T0, Img("upload://s/a.jpg", blob: Sha("s")));
        await AddAsync(otherOrg.Id, foreign.Id, T0, Img("upload://t/b.jpg", blob: Sha("t")));
        var service = new DatasetService(Catalog, blobs, new FixedTime(T0));

        Assert.Null(await service.DeleteAsync(new Caller(otherOrg.Id, Client), first.Id, default)); // not theirs
        Assert.Equal(first.Id, (await service.DeleteAsync(new Caller(org.Id, Client), first.Id, default))!.Id);
        Assert.Equal([BlobKeys.Upload(Sha("s")), BlobKeys.Upload(Sha("t"))], blobs.Keys); // u had no other user
        await service.DeleteAsync(new Caller(org.Id, Client), second.Id, default);
        Assert.Equal([BlobKeys.Upload(Sha("t"))], blobs.Keys); // the other organization still uses t
        Assert.Null(await service.DeleteAsync(new Caller(org.Id, Client), second.Id, default));
    }

    [Fact]
    public async Task The_service_deletes_the_previews_of_the_dataset()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var kept = await DatasetAsync(org.Id, "kept");
        var blobs = new MemoryBlobStore();
        var a = (await AddAsync(org.Id, ds.Id, T0, Img("a")))[0];
        var b = (await AddAsync(org.Id, kept.Id, T0, Img("b")))[0];
        foreach (var job in await Catalog.Queue.ClaimAsync("w", 2, TimeSpan.FromMinutes(1), T0))
        {
            var key = BlobKeys.Preview(job.ImageId);
            await blobs.PutAsync(key, new byte[] { 1 });
            Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Completed(job.ImageId, T0) with { PreviewKey = key }, T0));
        }

        await new DatasetService(Catalog, blobs, new FixedTime(T0)).DeleteAsync(new Caller(org.Id, Client), ds.Id, default);
        Assert.Equal([BlobKeys.Preview(b.Id)], blobs.Keys);
        Assert.NotEqual(a.Id, b.Id);
    }
}

public sealed class SqliteDatasetTests() : DatasetTests(new SqliteTestEngine());

public sealed class PostgresDatasetTests() : DatasetTests(new PostgresTestEngine());
