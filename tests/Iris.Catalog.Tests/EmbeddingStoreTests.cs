using Iris.Catalog.Tests.Engines;
using Iris.Embeddings;
using Iris.Models;

namespace Iris.Catalog.Tests;

/// <summary>
/// SQLite migration 5 / PostgreSQL migration 3: embeddings stored with each completed image, read back by sequence
/// number, found missing for embeddings jobs and deleted with their images; the encoder a claim hands the worker; the
/// counters of jobs that finish no image.
/// </summary>
public abstract class EmbeddingStoreTests(TestEngine engine) : CatalogTestBase(engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private const string Model = "resnet18-test";
    private const string OtherModel = "other-test";

    /// <summary>A writtenSince no row reaches: only afterSeq decides what is read.</summary>
    private static readonly DateTimeOffset Never = T0.AddYears(10);

    /// <summary>
    /// True where <see cref="IEmbeddingStore.ReadChangesAsync"/> also reads rows written at or after writtenSince whatever
    /// their seq (a shared database, where commits can land out of seq order); the embedded engine reads by seq alone.
    /// </summary>
    protected virtual bool RereadsRecentWrites => false;

    private sealed record Done(string Path, Embedding? Embedding = null, string? PreviewKey = null, bool Failed = false);

    private static Embedding Emb(params float[] vector) => new(Model, vector);

    private static IngestionOutcome Outcome(Guid imageId, Done done, DateTimeOffset at) => done.Failed
        ? Failed(imageId, at) with { Embedding = done.Embedding, PreviewKey = done.PreviewKey }
        : Completed(imageId, at) with { Embedding = done.Embedding, PreviewKey = done.PreviewKey };

    /// <summary>Adds new images to the dataset and ends each one as given, all at <paramref name="at"/>, in the order given.</summary>
    private async Task<Dictionary<string, Guid>> IngestAsync(Guid orgId, Guid datasetId, DateTimeOffset at, params Done[] images)
    {
        var ids = (await AddAsync(orgId, datasetId, at, [.. images.Select(i => Img(i.Path))])).ToDictionary(a => a.Path, a => a.Id);
        var jobs = await Catalog.Queue.ClaimAsync("w", images.Length, Lease, at);
        Assert.Equal(images.Length, jobs.Count);
        foreach (var image in images)
        {
            var job = jobs.Single(j => j.ImageId == ids[image.Path]);
            Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Outcome(job.ImageId, image, at), at));
        }
        return ids;
    }

    /// <summary>Queues a completed image again (as re-ingesting it would) and ends it as given.</summary>
    private async Task ReingestAsync(Guid orgId, Guid datasetId, Done done, DateTimeOffset at)
    {
        var received = new ImageEvent(EventTypes.Received, at);
        var written = await Catalog.Images.AddAsync(orgId, datasetId, [Img(done.Path)], (existing, _) =>
            new ImageWrite(existing! with { Status = ImageStatus.Pending, LatestEvent = received }, Enqueue: true));
        Assert.NotNull(written);
        var job = Assert.Single(await Catalog.Queue.ClaimAsync("w", 10, Lease, at));
        Assert.Equal(written[0].Id, job.ImageId);
        Assert.True(await Catalog.Queue.CompleteAsync(job, "w", Outcome(job.ImageId, done, at), at));
    }

    private Task<IReadOnlyList<StoredEmbedding>> ReadAsync(Guid datasetId, long afterSeq = 0, int limit = 100, string model = Model) =>
        Catalog.Embeddings.ReadChangesAsync(datasetId, model, afterSeq, Never, limit);

    private async Task<Dataset> DatasetWithEncoderAsync(Guid orgId, string name, string encoderName)
    {
        var dataset = await Catalog.Datasets.TryCreateAsync(
            new Dataset(Guid.NewGuid(), orgId, name, null, Client, T0, Client, T0, 0, EncoderName: encoderName));
        Assert.NotNull(dataset);
        Assert.Equal(encoderName, dataset.EncoderName);
        return dataset;
    }

    private async Task<IngestJob> JobAsync(
        Guid orgId, Guid datasetId, DateTimeOffset createdAt, string status = IngestJobStatus.Pending, string type = IngestJobType.Embeddings)
    {
        var finished = status is IngestJobStatus.Completed or IngestJobStatus.Failed ? createdAt : (DateTimeOffset?)null;
        var job = CatalogTime.Truncate(new IngestJob(Guid.CreateVersion7(createdAt), orgId, datasetId, type, """{"assets":[]}""",
            ConnectionName: null, SourceType: "image", FilePath: null, status, TotalAssets: 5, ProcessedAssets: 0, ErroredAssets: 0,
            ErrorDetails: null, Client, createdAt, createdAt, StartedAt: status == IngestJobStatus.Pending ? null : createdAt, FinishedAt: finished));
        await Catalog.Jobs.CreateAsync(job);
        return job;
    }

    [Fact]
    public async Task A_completion_with_an_embedding_stores_it_for_its_organization_only()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        float[] vector = [0.6f, 0.8f, 0f, 0f];
        var ids = await IngestAsync(org.Id, ds.Id, T0, new Done("a", Emb(vector), "previews/a.webp"), new Done("b", PreviewKey: "previews/b.webp"));

        var stored = await Catalog.Embeddings.GetAsync(org.Id, ids["a"]);
        Assert.NotNull(stored);
        Assert.Equal((ids["a"], ds.Id, Model, Micro(T0)), (stored.ImageId, stored.DatasetId, stored.Model, stored.WrittenAt));
        Assert.Equal(EmbeddingVectors.ToBytes(vector), stored.Vector);
        Assert.True(stored.Seq > 0);

        // Completed without one, unknown, or asked for by another organization: none.
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["b"]));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, Guid.NewGuid()));
        var stranger = await OrgAsync("stranger");
        Assert.Null(await Catalog.Embeddings.GetAsync(stranger.Id, ids["a"]));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM image_embeddings"));
    }

    [Fact]
    public async Task An_error_stores_none_and_a_later_ending_without_one_removes_the_earlier()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var ids = await IngestAsync(org.Id, ds.Id, T0,
            new Done("bad", Emb(1, 0), "previews/bad.webp", Failed: true),
            new Done("a", Emb(1, 0), "previews/a.webp"),
            new Done("b", Emb(0, 1), "previews/b.webp"));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["bad"]));
        Assert.NotNull(await Catalog.Embeddings.GetAsync(org.Id, ids["a"]));
        var firstB = (await Catalog.Embeddings.GetAsync(org.Id, ids["b"]))!;

        // "a" fails when ingested again (even with a vector in the outcome); "b" completes again without one, then with a new one.
        await ReingestAsync(org.Id, ds.Id, new Done("a", Emb(1, 0), Failed: true), T0.AddSeconds(1));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["a"]));
        await ReingestAsync(org.Id, ds.Id, new Done("b", PreviewKey: "previews/b2.webp"), T0.AddSeconds(2));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["b"]));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_embeddings"));

        await ReingestAsync(org.Id, ds.Id, new Done("b", Emb(0.5f, 0.5f), "previews/b3.webp"), T0.AddSeconds(3));
        var secondB = (await Catalog.Embeddings.GetAsync(org.Id, ids["b"]))!;
        Assert.Equal(EmbeddingVectors.ToBytes([0.5f, 0.5f]), secondB.Vector);
        Assert.Equal(Micro(T0.AddSeconds(3)), secondB.WrittenAt);
        Assert.True(secondB.Seq > firstB.Seq);
    }

    [Fact]
    public async Task Changes_come_after_a_seq_in_seq_order_a_page_at_a_time_and_a_replacement_comes_again()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var other = await DatasetAsync(org.Id, "other");
        var ids = await IngestAsync(org.Id, ds.Id, T0,
            new Done("a", Emb(1, 0)), new Done("b", Emb(0, 1)), new Done("c", Emb(1, 1)), new Done("d", Emb(1, 2)), new Done("e", Emb(2, 1)),
            new Done("f", new Embedding(OtherModel, [3, 1])));
        var elsewhere = await IngestAsync(org.Id, other.Id, T0, new Done("g", Emb(1, 3)));

        var all = await ReadAsync(ds.Id);
        Assert.Equal([ids["a"], ids["b"], ids["c"], ids["d"], ids["e"]], all.Select(e => e.ImageId));
        Assert.Equal(all.Select(e => e.Seq).Order(), all.Select(e => e.Seq));
        Assert.Equal(all.Count, all.Select(e => e.Seq).Distinct().Count());
        Assert.All(all, e => Assert.Equal((ds.Id, Model), (e.DatasetId, e.Model)));
        Assert.Equal(EmbeddingVectors.ToBytes([1, 2]), all[3].Vector);

        // Keyset pages by seq.
        var pages = new List<IReadOnlyList<StoredEmbedding>>();
        var after = 0L;
        while (true)
        {
            var page = await ReadAsync(ds.Id, after, limit: 2);
            if (page.Count == 0) break;
            pages.Add(page);
            after = page[^1].Seq;
        }
        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(all.Select(e => e.ImageId), pages.SelectMany(p => p).Select(e => e.ImageId));
        Assert.Equal([ids["c"], ids["d"]], (await ReadAsync(ds.Id, all[1].Seq, limit: 2)).Select(e => e.ImageId));

        // Only the model and the dataset asked for.
        Assert.Equal([ids["f"]], (await ReadAsync(ds.Id, model: OtherModel)).Select(e => e.ImageId));
        Assert.Empty(await ReadAsync(ds.Id, model: "unknown"));
        Assert.Equal([elsewhere["g"]], (await ReadAsync(other.Id)).Select(e => e.ImageId));

        // A replaced embedding takes a new seq, after every other; one replaced by another model's leaves this model's changes.
        Assert.True(await Catalog.Embeddings.PutAsync(ids["b"], Model, EmbeddingVectors.ToBytes([4, 4]), T0.AddSeconds(5)));
        Assert.True(await Catalog.Embeddings.PutAsync(ids["c"], OtherModel, EmbeddingVectors.ToBytes([5, 5]), T0.AddSeconds(6)));
        var replaced = Assert.Single(await ReadAsync(ds.Id, all[^1].Seq));
        Assert.Equal((ids["b"], Micro(T0.AddSeconds(5))), (replaced.ImageId, replaced.WrittenAt));
        Assert.Equal(EmbeddingVectors.ToBytes([4, 4]), replaced.Vector);
        Assert.True(replaced.Seq > all.Max(e => e.Seq));
        Assert.Equal([ids["a"], ids["d"], ids["e"], ids["b"]], (await ReadAsync(ds.Id)).Select(e => e.ImageId));
        Assert.Equal([ids["f"], ids["c"]], (await ReadAsync(ds.Id, model: OtherModel)).Select(e => e.ImageId));
        Assert.Equal(replaced, await Catalog.Embeddings.GetAsync(org.Id, ids["b"]), StoredEmbeddingComparer.Instance);
    }

    [Fact]
    public async Task Rows_written_since_the_time_given_are_read_again_where_commits_can_land_out_of_seq_order()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var a = (await IngestAsync(org.Id, ds.Id, T0, new Done("a", Emb(1, 0))))["a"];
        var b = (await IngestAsync(org.Id, ds.Id, T0.AddSeconds(10), new Done("b", Emb(0, 1))))["b"];
        var all = await ReadAsync(ds.Id);
        Assert.Equal([a, b], all.Select(e => e.ImageId));

        async Task<IReadOnlyList<Guid>> Read(long afterSeq, DateTimeOffset writtenSince) =>
            [.. (await Catalog.Embeddings.ReadChangesAsync(ds.Id, Model, afterSeq, writtenSince, 10)).Select(e => e.ImageId)];

        // Nothing after the last seq; the shared engine still answers what was written since the time given, in seq order.
        Assert.Equal(RereadsRecentWrites ? [b] : [], await Read(all[^1].Seq, T0.AddSeconds(10)));
        Assert.Equal(RereadsRecentWrites ? [a, b] : [], await Read(all[^1].Seq, T0));
        Assert.Empty(await Read(all[^1].Seq, T0.AddSeconds(11)));
        // A row both after the seq and written since comes once.
        Assert.Equal(RereadsRecentWrites ? [a, b] : [b], await Read(all[0].Seq, T0));
        // The limit counts the rows read again too, lowest seq first.
        var limited = await Catalog.Embeddings.ReadChangesAsync(ds.Id, Model, all[^1].Seq, T0, 1);
        Assert.Equal(RereadsRecentWrites ? [a] : [], limited.Select(e => e.ImageId));
    }

    [Fact]
    public async Task Put_stores_only_for_a_completed_image()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var ids = await IngestAsync(org.Id, ds.Id, T0, new Done("done", PreviewKey: "previews/done.webp"), new Done("bad", Failed: true));
        var processing = (await AddAsync(org.Id, ds.Id, T0, Img("processing")))[0].Id;
        var queued = (await AddAsync(org.Id, ds.Id, T0, Img("queued")))[0].Id;
        var claimed = Assert.Single(await Catalog.Queue.ClaimAsync("w", 1, Lease, T0));
        Assert.Equal(processing, claimed.ImageId); // the oldest is being worked on, the other still waits
        var bytes = EmbeddingVectors.ToBytes([1, 0, 0]);

        foreach (var id in new[] { Guid.NewGuid(), ids["bad"], processing, queued })
            Assert.False(await Catalog.Embeddings.PutAsync(id, Model, bytes, T0));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_embeddings"));

        Assert.True(await Catalog.Embeddings.PutAsync(ids["done"], Model, bytes, T0.AddSeconds(1)));
        var stored = (await Catalog.Embeddings.GetAsync(org.Id, ids["done"]))!;
        Assert.Equal((ds.Id, Model, Micro(T0.AddSeconds(1))), (stored.DatasetId, stored.Model, stored.WrittenAt));
        Assert.Equal(bytes, stored.Vector);
    }

    [Fact]
    public async Task Missing_embeddings_are_completed_images_with_a_preview_and_none_of_the_model_paged_by_id()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var other = await DatasetAsync(org.Id, "other");
        var ids = await IngestAsync(org.Id, ds.Id, T0,
            new Done("p1", PreviewKey: "previews/p1.webp"), new Done("p2", PreviewKey: "previews/p2.webp"),
            new Done("p3", PreviewKey: "previews/p3.webp"), new Done("p4", PreviewKey: "previews/p4.webp"),
            new Done("p5", PreviewKey: "previews/p5.webp"),
            new Done("no-preview"),
            new Done("bad", PreviewKey: "previews/bad.webp", Failed: true),
            new Done("has", Emb(1, 0), "previews/has.webp"),
            new Done("other-model", new Embedding(OtherModel, [0, 1]), "previews/other-model.webp"));
        await IngestAsync(org.Id, other.Id, T0, new Done("elsewhere", PreviewKey: "previews/elsewhere.webp"));
        await AddAsync(org.Id, ds.Id, T0, Img("pending"));

        string[] missing = ["p1", "p2", "p3", "p4", "p5", "other-model"];
        Assert.Equal(missing.Length, await Catalog.Embeddings.CountMissingAsync(ds.Id, Model));
        var all = await Catalog.Embeddings.ListMissingAsync(ds.Id, Model, null, 100);
        Assert.Equal(
            missing.Select(p => (ids[p], $"previews/{p}.webp")).OrderBy(x => x.Item1).ToList(),
            all.Select(c => (c.ImageId, c.PreviewKey)).OrderBy(x => x.Item1).ToList());

        // Keyset pages by id: each page starts after the last id of the one before, and together they are the whole list.
        var first = await Catalog.Embeddings.ListMissingAsync(ds.Id, Model, null, 4);
        var second = await Catalog.Embeddings.ListMissingAsync(ds.Id, Model, first[^1].ImageId, 4);
        Assert.Equal([4, 2], new[] { first.Count, second.Count });
        Assert.Equal(all, [.. first, .. second]);
        Assert.Empty(await Catalog.Embeddings.ListMissingAsync(ds.Id, Model, second[^1].ImageId, 4));

        // Per model, per dataset; one stored leaves the list.
        Assert.Equal(6, await Catalog.Embeddings.CountMissingAsync(ds.Id, OtherModel)); // p1..p5 and "has"
        Assert.Equal(1, await Catalog.Embeddings.CountMissingAsync(other.Id, Model));
        Assert.True(await Catalog.Embeddings.PutAsync(ids["p3"], Model, EmbeddingVectors.ToBytes([1, 1]), T0));
        Assert.Equal(5, await Catalog.Embeddings.CountMissingAsync(ds.Id, Model));
        Assert.DoesNotContain(ids["p3"], (await Catalog.Embeddings.ListMissingAsync(ds.Id, Model, null, 100)).Select(c => c.ImageId));
    }

    [Fact]
    public async Task Deleting_an_image_or_its_dataset_deletes_its_embedding()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var other = await DatasetAsync(org.Id, "other");
        var ids = await IngestAsync(org.Id, ds.Id, T0, new Done("a", Emb(1, 0)), new Done("b", Emb(0, 1)), new Done("c", Emb(1, 1)));
        var elsewhere = await IngestAsync(org.Id, other.Id, T0, new Done("d", Emb(1, 0)), new Done("e", PreviewKey: "previews/e.webp"));
        Assert.True(await Catalog.Embeddings.PutAsync(elsewhere["e"], Model, EmbeddingVectors.ToBytes([0, 1]), T0));

        Assert.NotNull(await Catalog.Images.DeleteAsync(org.Id, ds.Id, [ids["a"]], []));
        Assert.NotNull(await Catalog.Images.DeleteAsync(org.Id, ds.Id, [], ["b"]));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["a"]));
        Assert.Null(await Catalog.Embeddings.GetAsync(org.Id, ids["b"]));
        Assert.Equal([ids["c"]], (await ReadAsync(ds.Id)).Select(e => e.ImageId));

        Assert.NotNull(await Catalog.Datasets.DeleteAsync(org.Id, other.Id));
        Assert.Empty(await ReadAsync(other.Id));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM image_embeddings"));
        Assert.NotNull(await Catalog.Datasets.DeleteAsync(org.Id, ds.Id));
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM image_embeddings"));
    }

    [Fact]
    public async Task A_claim_hands_over_the_encoder_of_the_dataset_as_it_is_now()
    {
        var org = await OrgAsync();
        var plain = await DatasetAsync(org.Id, "plain");
        var quiet = await DatasetWithEncoderAsync(org.Id, "quiet", Encoders.None);
        await AddAsync(org.Id, plain.Id, T0, Img("a"));
        await AddAsync(org.Id, quiet.Id, T0, Img("b"));
        var claimed = await Catalog.Queue.ClaimAsync("w", 10, Lease, T0);
        Assert.Equal(
            [(plain.Id, DatasetDefaults.EncoderName), (quiet.Id, Encoders.None)],
            claimed.Select(j => (j.DatasetId, j.EncoderName)).OrderBy(x => x.EncoderName == Encoders.None));

        // The encoder is written by an update (with the rest) and claims from then on carry it.
        var updated = await Catalog.Datasets.UpdateAsync(quiet with { EncoderName = "resnet-50", UpdatedAt = T0.AddSeconds(1) });
        Assert.Equal("resnet-50", updated.Dataset!.EncoderName);
        Assert.Equal("resnet-50", (await Catalog.Datasets.GetAsync(org.Id, quiet.Id))!.EncoderName);
        await AddAsync(org.Id, quiet.Id, T0.AddSeconds(2), Img("c"));
        var next = Assert.Single(await Catalog.Queue.ClaimAsync("w", 10, Lease, T0.AddSeconds(2)));
        Assert.Equal((quiet.Id, "resnet-50"), (next.DatasetId, next.EncoderName));
    }

    [Fact]
    public async Task Advance_counts_work_finishes_with_the_total_counted_and_refuses_finished_or_foreign_jobs()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var job = await JobAsync(org.Id, ds.Id, T0);
        var stranger = await OrgAsync("stranger");
        Assert.False(await Catalog.Jobs.AdvanceAsync(stranger.Id, job.Id, 1, 0, finished: true, T0.AddSeconds(1)));
        Assert.False(await Catalog.Jobs.AdvanceAsync(org.Id, Guid.NewGuid(), 1, 0, finished: false, T0.AddSeconds(1)));
        Assert.Equal(job, await Catalog.Jobs.GetAsync(org.Id, job.Id));

        // The first advance moves it to in progress (even with nothing counted) and starts it once.
        Assert.True(await Catalog.Jobs.AdvanceAsync(org.Id, job.Id, 0, 0, finished: false, T0.AddSeconds(1)));
        var started = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.InProgress, 5L, 0L, 0L), (started.Status, started.TotalAssets!.Value, started.ProcessedAssets, started.ErroredAssets));
        Assert.Equal((Micro(T0.AddSeconds(1)), Micro(T0.AddSeconds(1)), (DateTimeOffset?)null), (started.StartedAt!.Value, started.UpdatedAt, started.FinishedAt));

        Assert.True(await Catalog.Jobs.AdvanceAsync(org.Id, job.Id, 2, 1, finished: false, T0.AddSeconds(2)));
        var midway = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.InProgress, 5L, 2L, 1L), (midway.Status, midway.TotalAssets!.Value, midway.ProcessedAssets, midway.ErroredAssets));
        Assert.Equal((Micro(T0.AddSeconds(1)), Micro(T0.AddSeconds(2))), (midway.StartedAt!.Value, midway.UpdatedAt));

        // Finishing: the total becomes what was counted (fewer than estimated: images went meanwhile).
        Assert.True(await Catalog.Jobs.AdvanceAsync(org.Id, job.Id, 1, 0, finished: true, T0.AddSeconds(3)));
        var done = (await Catalog.Jobs.GetAsync(org.Id, job.Id))!;
        Assert.Equal((IngestJobStatus.Completed, 4L, 3L, 1L), (done.Status, done.TotalAssets!.Value, done.ProcessedAssets, done.ErroredAssets));
        Assert.Equal((Micro(T0.AddSeconds(1)), Micro(T0.AddSeconds(3))), (done.StartedAt!.Value, done.FinishedAt!.Value));

        Assert.False(await Catalog.Jobs.AdvanceAsync(org.Id, job.Id, 1, 0, finished: false, T0.AddSeconds(4)));
        Assert.False(await Catalog.Jobs.AdvanceAsync(org.Id, job.Id, 0, 0, finished: true, T0.AddSeconds(4)));
        Assert.Equal(done, await Catalog.Jobs.GetAsync(org.Id, job.Id));

        // A pending job finished at once with nothing counted has a total of zero.
        var empty = await JobAsync(org.Id, ds.Id, T0.AddSeconds(5));
        Assert.True(await Catalog.Jobs.AdvanceAsync(org.Id, empty.Id, 0, 0, finished: true, T0.AddSeconds(6)));
        var emptyDone = (await Catalog.Jobs.GetAsync(org.Id, empty.Id))!;
        Assert.Equal((IngestJobStatus.Completed, 0L), (emptyDone.Status, emptyDone.TotalAssets!.Value));
        Assert.Equal(Micro(T0.AddSeconds(6)), emptyDone.StartedAt);
    }

    [Fact]
    public async Task Open_jobs_of_a_type_are_listed_oldest_first_across_organizations()
    {
        var (org, ds) = await OrgAndDatasetAsync();
        var (otherOrg, otherDs) = await OrgAndDatasetAsync("other", "ds2");
        await JobAsync(org.Id, ds.Id, T0, IngestJobStatus.Completed);
        await JobAsync(org.Id, ds.Id, T0.AddSeconds(1), IngestJobStatus.Failed);
        var running = await JobAsync(org.Id, ds.Id, T0.AddSeconds(3), IngestJobStatus.InProgress);
        var waiting = await JobAsync(otherOrg.Id, otherDs.Id, T0.AddSeconds(2));
        var later = await JobAsync(org.Id, ds.Id, T0.AddSeconds(4));
        var metadata = await JobAsync(org.Id, ds.Id, T0.AddSeconds(1), type: IngestJobType.Metadata);

        Assert.Equal([waiting, running, later], await Catalog.Jobs.ListOpenAsync(IngestJobType.Embeddings, 10));
        Assert.Equal([waiting.Id, running.Id], (await Catalog.Jobs.ListOpenAsync(IngestJobType.Embeddings, 2)).Select(j => j.Id));
        Assert.Equal([metadata.Id], (await Catalog.Jobs.ListOpenAsync(IngestJobType.Metadata, 10)).Select(j => j.Id));
        Assert.Empty(await Catalog.Jobs.ListOpenAsync(IngestJobType.Bucket, 10));

        Assert.True(await Catalog.Jobs.AdvanceAsync(otherOrg.Id, waiting.Id, 5, 0, finished: true, T0.AddSeconds(5)));
        Assert.Equal([running.Id, later.Id], (await Catalog.Jobs.ListOpenAsync(IngestJobType.Embeddings, 10)).Select(j => j.Id));
    }

    /// <summary>Records hold the vector as an array: compares its bytes.</summary>
    private sealed class StoredEmbeddingComparer : IEqualityComparer<StoredEmbedding?>
    {
        public static readonly StoredEmbeddingComparer Instance = new();

        public bool Equals(StoredEmbedding? x, StoredEmbedding? y) =>
            x is null || y is null ? x is null && y is null : x with { Vector = Array.Empty<byte>() } == y with { Vector = Array.Empty<byte>() } && x.Vector.AsSpan().SequenceEqual(y.Vector);

        public int GetHashCode(StoredEmbedding? obj) => obj?.ImageId.GetHashCode() ?? 0;
    }
}

public sealed class SqliteEmbeddingStoreTests() : EmbeddingStoreTests(new SqliteTestEngine());

public sealed class PostgresEmbeddingStoreTests() : EmbeddingStoreTests(new PostgresTestEngine())
{
    protected override bool RereadsRecentWrites => true;
}
