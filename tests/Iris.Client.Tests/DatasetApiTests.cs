using System.Security.Cryptography;
using System.Text.Json;

namespace Iris.Client.Tests;

[Collection(ClientCollection.Name)]
public sealed class DatasetApiTests(ClientFixture fixture)
{
    [Fact]
    public async Task Create_get_list_and_delete_a_dataset()
    {
        using var client = fixture.NewClient();
        var api = new DatasetApi(client);
        var name = ClientFixture.UniqueName("crud");

        var created = await api.CreateDatasetAsync(name, "made by a test");
        Assert.Equal(name, created.Name);
        Assert.Equal("made by a test", created.Description);
        Assert.Equal("Ready", created.Status);
        Assert.Equal(0, created.ImageCount);
        Assert.True(created.IsDeletable);
        Assert.Equal(fixture.Server.Credential.ClientId, created.CreatedUserId);

        var got = await api.GetDatasetAsync(created.DatasetId);
        Assert.Equal(JsonSerializer.Serialize(created, IrisJsonContext.Default.DatasetResponse), JsonSerializer.Serialize(got, IrisJsonContext.Default.DatasetResponse));
        Assert.Equal(created.DatasetId, (await api.FindDatasetByNameAsync(name))!.DatasetId);
        Assert.Null(await api.FindDatasetByNameAsync(ClientFixture.UniqueName("absent")));

        var page = await api.ListDatasetsAsync(0, 1000);
        Assert.Contains(page.Data, d => d.DatasetId == created.DatasetId);
        Assert.Equal(page.Data.Count, (int)Math.Min(page.Meta.Page.Total, 1000));

        var deleted = await api.DeleteDatasetAsync(created.DatasetId);
        Assert.Equal(created.DatasetId, deleted.DatasetId);
        var gone = await Assert.ThrowsAsync<ApiException>(() => api.GetDatasetAsync(created.DatasetId));
        Assert.Equal(404, gone.StatusCode);
        Assert.Equal("Dataset not found", gone.Detail);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.DeleteDatasetAsync(created.DatasetId))).StatusCode);
    }

    [Fact]
    public async Task ListAllDatasets_walks_every_page()
    {
        // A fresh organization, so the list holds exactly what this test made.
        var credential = await fixture.Server.CreateClientAsync("paging-" + Guid.NewGuid().ToString("N")[..8]);
        using var client = fixture.NewClient(credential.AccessToken);
        var api = new DatasetApi(client);
        var names = new List<string>();
        for (var i = 0; i < 7; i++)
            names.Add((await api.CreateDatasetAsync(ClientFixture.UniqueName($"page{i}"))).Name);

        var seen = new List<string>();
        await foreach (var dataset in api.ListAllDatasetsAsync(pageSize: 3)) seen.Add(dataset.Name);
        Assert.Equal(names, seen); // oldest first, nothing twice, nothing left out

        var second = await api.ListDatasetsAsync(offset: 3, limit: 3);
        Assert.Equal(names.Skip(3).Take(3), second.Data.Select(d => d.Name));
        Assert.Equal(2, second.Meta.Page.CurrentPage);
        Assert.Equal(3, second.Meta.Page.LastPage);
        Assert.Equal(7, second.Meta.Page.Total);
        Assert.NotNull(second.Meta.Links.Next);
    }

    [Fact]
    public async Task Dataset_errors_are_409_and_422()
    {
        using var client = fixture.NewClient();
        var api = new DatasetApi(client);
        var name = ClientFixture.UniqueName("dup");
        await api.CreateDatasetAsync(name);

        var conflict = await Assert.ThrowsAsync<ApiException>(() => api.CreateDatasetAsync(name));
        Assert.Equal(409, conflict.StatusCode);
        Assert.Contains(name, conflict.Detail);

        var badName = await Assert.ThrowsAsync<ApiException>(() => api.CreateDatasetAsync("no spaces allowed"));
        Assert.Equal(422, badName.StatusCode);
        Assert.Equal(new object[] { "body", "name" }, Assert.Single(badName.ValidationErrors).Loc);

        var badLimit = await Assert.ThrowsAsync<ApiException>(() => api.ListDatasetsAsync(0, 0));
        Assert.Equal(new object[] { "query", "limit" }, Assert.Single(badLimit.ValidationErrors).Loc);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in api.ListAllDatasetsAsync(pageSize: 0)) { }
        });
    }

    [Fact]
    public async Task AddAssets_records_pending_images_that_then_complete_or_fail()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var images = new ImageApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("assets"));
        var good = ClientFixture.FileUri("imaging/branches.png");
        var broken = ClientFixture.FileUri("exif-fragments/2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg");
        const string unsupported = "ftp://example.invalid/a.jpg";

        var added = await datasets.AddAssetsAsync(dataset.DatasetId, new AddAssetsRequest(
        [
            new AssetInput(good, "mine", new Dictionary<string, object?> { ["n"] = 1.5, ["ok"] = true, ["when"] = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero) }),
            new AssetInput(broken),
            new AssetInput(unsupported),
        ]));
        Assert.Equal(3, added.Images.Count);
        Assert.All(added.Images, i => Assert.Equal(added.RequestGroupId, i.RequestId));
        Assert.All(added.Images, i => Assert.Equal(dataset.DatasetId, i.DatasetId));
        Assert.Equal("mine", added.Images[0].Id);
        Assert.True(added.Images[0].Metadata!["ok"].GetBoolean());
        Assert.Equal(1.5, added.Images[0].Metadata!["n"].GetDouble());

        var statuses = await ClientFixture.WaitTerminalAsync(images, dataset.DatasetId, [good, broken, unsupported]);
        Assert.Equal(ImageStatus.Completed, statuses[0].Status);
        Assert.Equal(ImageStatus.Error, statuses[1].Status);
        Assert.False(string.IsNullOrWhiteSpace(statuses[1].ErrorReason));
        Assert.Equal("unsupported_uri_scheme", statuses[2].ErrorCode);

        // Adding a path again keeps its image.
        var again = await datasets.AddAssetsAsync(dataset.DatasetId, [good]);
        Assert.Equal(added.Images[0].CoactiveImageId, Assert.Single(again.Images).CoactiveImageId);

        var missingDataset = await Assert.ThrowsAsync<ApiException>(() => datasets.AddAssetsAsync(Guid.NewGuid(), [good]));
        Assert.Equal(404, missingDataset.StatusCode);
        var nested = await Assert.ThrowsAsync<ApiException>(() => datasets.AddAssetsAsync(dataset.DatasetId, new AddAssetsRequest(
            [new AssetInput(good, Metadata: new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["a"] = 1 } })])));
        Assert.Equal(422, nested.StatusCode);
        Assert.Equal(new object[] { "body", "images", 0, "metadata" }, nested.ValidationErrors[0].Loc.Take(4));
    }

    [Fact]
    public async Task UpdateAssetsMetadata_replaces_metadata_by_id_or_path()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("meta"));
        var paths = new[] { ClientFixture.FileUri("imaging/orientation_1.jpg"), ClientFixture.FileUri("imaging/orientation_2.jpg") };
        var added = await datasets.AddAssetsAsync(dataset.DatasetId, paths);

        var updated = await datasets.UpdateAssetsMetadataAsync(dataset.DatasetId, new UpdateAssetsMetadataRequest(
        [
            new MetadataUpdateInput(added.Images[0].CoactiveImageId, null, new Dictionary<string, object?> { ["label"] = "first" }),
            new MetadataUpdateInput(null, paths[1], new Dictionary<string, object?> { ["label"] = "second", ["rank"] = 2 }),
        ]));
        Assert.Equal(["first", "second"], updated.Images.Select(i => i.Metadata!["label"].GetString()));
        Assert.Equal(2, updated.Images[1].Metadata!["rank"].GetInt32());
        var reread = await new ImageApi(client).GetMetadataForImageAsync(added.Images[1].CoactiveImageId);
        Assert.Equal("second", reread.Metadata!["label"].GetString());

        var unknown = await Assert.ThrowsAsync<ApiException>(() => datasets.UpdateAssetsMetadataAsync(dataset.DatasetId, new UpdateAssetsMetadataRequest(
            [new MetadataUpdateInput(Guid.NewGuid(), null, new Dictionary<string, object?> { ["x"] = 1 })])));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task UploadFiles_stores_the_bytes_under_the_given_paths()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var images = new ImageApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("uploads"));
        var files = new[] { "go-image/video-001.gif", "x-image/" + Path.GetFileName(Directory.GetFiles(ClientFixture.Corpus("x-image"), "*.webp")[0]) };
        var paths = files.Select(f => "file://" + ClientFixture.Corpus(f)).ToArray();

        await using (var a = File.OpenRead(ClientFixture.Corpus(files[0])))
        await using (var b = File.OpenRead(ClientFixture.Corpus(files[1])))
        {
            var answer = await datasets.UploadFilesAsync(dataset.DatasetId,
            [
                new UploadFile(a, Path.GetFileName(files[0])) { Path = paths[0], Metadata = new Dictionary<string, object?> { ["k"] = "a" } },
                new UploadFile(b, Path.GetFileName(files[1])) { Path = paths[1], Metadata = new Dictionary<string, object?> { ["k"] = "b" } },
            ]);
            Assert.Equal(paths, answer.Images.Select(i => i.Path));
            Assert.Equal("b", answer.Images[1].Metadata!["k"].GetString());
        }
        var statuses = await ClientFixture.WaitTerminalAsync(images, dataset.DatasetId, paths);
        Assert.All(statuses, s => Assert.Equal(ImageStatus.Completed, s.Status));
        var stored = await images.GetMetadataForImagesAsync(statuses.Select(s => s.CoactiveImageId!.Value));
        for (var i = 0; i < files.Length; i++)
        {
            var bytes = await File.ReadAllBytesAsync(ClientFixture.Corpus(files[i]));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), stored.Data[i].TechnicalMetadata!.Sha256);
        }

        // Without a path the server names it upload://<sha256>/<file name>.
        await using (var c = File.OpenRead(ClientFixture.Corpus("imaging/flowers.png")))
        {
            var answer = await datasets.UploadFileAsync(dataset.DatasetId, new UploadFile(c, "flowers.png"));
            var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(ClientFixture.Corpus("imaging/flowers.png"))));
            Assert.Equal($"upload://{sha}/flowers.png", Assert.Single(answer.Images).Path);
        }

        // Path given for some files only is refused before anything is sent.
        await using var d = File.OpenRead(ClientFixture.Corpus("imaging/flowers.png"));
        await Assert.ThrowsAsync<ArgumentException>(() => datasets.UploadFilesAsync(dataset.DatasetId,
            [new UploadFile(d, "x.png") { Path = "upload://x" }, new UploadFile(d, "y.png")]));
    }

    [Fact]
    public async Task An_upload_larger_than_the_server_takes_is_413()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("big"));
        var big = new MemoryStream(new byte[ClientFixture.MaxUploadBytes + 100_000]);

        var error = await Assert.ThrowsAsync<ApiException>(() => datasets.UploadFileAsync(dataset.DatasetId, new UploadFile(big, "big.jpg")));
        Assert.Equal(413, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Detail));
    }
}
