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

        var created = await api.CreateDatasetAsync(name, description: "made by a test");
        Assert.Equal(name, created.Name);
        Assert.Equal("made by a test", created.Description);
        Assert.Equal(DatasetStatus.Active, created.Status);
        Assert.Equal(0, created.ImageCount);
        Assert.Equal(EncoderNames.Multimodal, Assert.Single(created.Encoders).Name);
        Assert.Equal(["image"], created.AllowedAssetTypes);
        Assert.Equal(fixture.Server.Credential.ClientId, created.CreatedBy);
        Assert.Null(created.DeletedDt);

        var got = await api.GetDatasetAsync(created.Id);
        Assert.Equal(JsonSerializer.Serialize(created, IrisV1JsonContext.Default.DatasetResponse), JsonSerializer.Serialize(got, IrisV1JsonContext.Default.DatasetResponse));
        Assert.Equal(created.Id, (await api.FindDatasetByNameAsync(name))!.Id);
        Assert.Null(await api.FindDatasetByNameAsync(ClientFixture.UniqueName("absent")));

        var page = await api.ListDatasetsAsync(0, 1000);
        Assert.Contains(page.Data, d => d.Id == created.Id);
        Assert.Equal(page.Data.Count, (int)Math.Min(page.Meta.Page.Total!.Value, 1000));

        var deleted = await api.DeleteDatasetAsync(created.Id);
        Assert.Equal(created.Id, deleted.Id);
        Assert.Equal(DatasetStatus.Deleted, deleted.Status);
        Assert.NotNull(deleted.DeletedDt);
        Assert.Equal(fixture.Server.Credential.ClientId, deleted.DeletedBy);
        var gone = await Assert.ThrowsAsync<ApiException>(() => api.GetDatasetAsync(created.Id));
        Assert.Equal(404, gone.StatusCode);
        Assert.Equal("Dataset not found", gone.Detail);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.DeleteDatasetAsync(created.Id))).StatusCode);
    }

    [Fact]
    public async Task A_dataset_takes_Coactive_settings_and_can_be_renamed_and_set_inactive()
    {
        using var client = fixture.NewClient();
        var api = new DatasetApi(client);
        var config = JsonDocument.Parse("""{"embedding_id": {"visual": "8d7f1a2e-3b4c-4d5e-8f90-123456789abc"}, "encoder_name": {"visual": "resnet-50"}}""").RootElement;
        var created = await api.CreateDatasetAsync(new DatasetCreateRequest(ClientFixture.UniqueName("settings"), "resnet-50")
        {
            Description = "with settings",
            MetadataFieldsToIndex = ["season"],
            DatasetConfig = config,
        });
        Assert.Equal("resnet-50", Assert.Single(created.Encoders).Name);
        Assert.Equal(["season"], created.MetadataFieldsToIndex);
        Assert.Equal("resnet-50", created.DatasetConfig!.Value.GetProperty("encoder_name").GetProperty("visual").GetString());

        var renamed = ClientFixture.UniqueName("renamed");
        var updated = await api.UpdateDatasetAsync(created.Id, new DatasetUpdateRequest { Name = renamed, Status = DatasetStatus.Inactive });
        Assert.Equal(renamed, updated.Name);
        Assert.Equal(DatasetStatus.Inactive, updated.Status);
        Assert.Equal("with settings", updated.Description); // not given: kept
        Assert.NotNull(updated.UpdatedDt);
        Assert.Equal(updated.Name, (await api.GetDatasetAsync(created.Id)).Name);

        // Filters: by status, by id, by part of the name.
        var inactive = new List<Guid>();
        await foreach (var d in api.ListAllDatasetsAsync(filters: new DatasetFilters { Status = [DatasetStatus.Inactive] })) inactive.Add(d.Id);
        Assert.Contains(created.Id, inactive);
        var byId = await api.ListDatasetsAsync(filters: new DatasetFilters { DatasetIds = [created.Id, Guid.NewGuid()] });
        Assert.Equal(created.Id, Assert.Single(byId.Data).Id);
        var byName = await api.ListDatasetsAsync(filters: new DatasetFilters { NamePattern = renamed[8..].ToUpperInvariant() });
        Assert.Equal(created.Id, Assert.Single(byName.Data).Id);
        Assert.Empty((await api.ListDatasetsAsync(filters: new DatasetFilters { NamePattern = renamed, CreatedAfter = DateTimeOffset.UtcNow.AddMinutes(1) })).Data);

        var taken = ClientFixture.UniqueName("taken");
        await api.CreateDatasetAsync(taken);
        var conflict = await Assert.ThrowsAsync<ApiException>(() => api.UpdateDatasetAsync(created.Id, new DatasetUpdateRequest { Name = taken }));
        Assert.Equal(409, conflict.StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => api.UpdateDatasetAsync(Guid.NewGuid(), new DatasetUpdateRequest { Description = "x" }))).StatusCode);
    }

    [Fact]
    public async Task FindDatasetByName_picks_the_exact_name_among_those_containing_it()
    {
        var credential = await fixture.Server.CreateClientAsync("find-" + Guid.NewGuid().ToString("N")[..8]);
        using var client = fixture.NewClient(credential.AccessToken);
        var api = new DatasetApi(client);
        var longer = await api.CreateDatasetAsync("holidays_2026");
        var upper = await api.CreateDatasetAsync("HOLIDAYS");
        var exact = await api.CreateDatasetAsync("holidays");

        Assert.Equal(exact.Id, (await api.FindDatasetByNameAsync("holidays"))!.Id);
        Assert.Equal(upper.Id, (await api.FindDatasetByNameAsync("HOLIDAYS"))!.Id);
        Assert.Equal(longer.Id, (await api.FindDatasetByNameAsync("holidays_2026"))!.Id);
        Assert.Null(await api.FindDatasetByNameAsync("holiday"));
        Assert.Null(await api.FindDatasetByNameAsync(new string('x', 300)));
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

        foreach (var pageSize in new[] { 1, 2, 3, 7, 1000 })
        {
            var seen = new List<string>();
            await foreach (var dataset in api.ListAllDatasetsAsync(pageSize)) seen.Add(dataset.Name);
            Assert.Equal(names, seen); // oldest first, nothing twice, nothing left out
        }

        var second = await api.ListDatasetsAsync(skip: 3, limit: 3);
        Assert.Equal(names.Skip(3).Take(3), second.Data.Select(d => d.Name));
        Assert.Equal(2, second.Meta.Page.CurrentPage);
        Assert.Equal(3, second.Meta.Page.LastPage);
        Assert.Equal(7, second.Meta.Page.Total);
        Assert.Equal(3, second.Meta.Page.Offset);
        Assert.Equal(3, second.Meta.Page.Limit);
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

        var badEncoder = await Assert.ThrowsAsync<ApiException>(() => api.CreateDatasetAsync(ClientFixture.UniqueName("enc"), "clip"));
        Assert.Equal(422, badEncoder.StatusCode);
        Assert.Equal(new object[] { "body", "encoder_name" }, Assert.Single(badEncoder.ValidationErrors).Loc);

        var badLimit = await Assert.ThrowsAsync<ApiException>(() => api.ListDatasetsAsync(0, 0));
        Assert.Equal(new object[] { "query", "limit" }, Assert.Single(badLimit.ValidationErrors).Loc);
        var badStatus = await Assert.ThrowsAsync<ApiException>(() => api.ListDatasetsAsync(filters: new DatasetFilters { Status = ["active", "sleeping"] }));
        Assert.Equal(new object[] { "query", "status", 1 }, Assert.Single(badStatus.ValidationErrors).Loc);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in api.ListAllDatasetsAsync(pageSize: 0)) { }
        });
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

        Guid[] uploadedIds;
        await using (var a = File.OpenRead(ClientFixture.Corpus(files[0])))
        await using (var b = File.OpenRead(ClientFixture.Corpus(files[1])))
        {
            var answer = await datasets.UploadFilesAsync(dataset.Id,
            [
                new UploadFile(a, Path.GetFileName(files[0])) { Path = paths[0], Id = "user-a", Metadata = new Dictionary<string, object?> { ["k"] = "a" } },
                new UploadFile(b, Path.GetFileName(files[1])) { Path = paths[1], Id = "user-b", Metadata = new Dictionary<string, object?> { ["k"] = "b" } },
            ]);
            Assert.Equal("assets", answer.JobType);
            Assert.Equal(dataset.Id, answer.DatasetId);
            Assert.Equal(2, answer.TotalAssets);
            var assets = answer.DetailAssets();
            Assert.Equal(paths, assets.Select(i => i.SourcePath));
            Assert.All(assets, a => Assert.Null(a.Error));
            uploadedIds = assets.Select(a => a.AssetId!.Value).ToArray();
        }
        var statuses = await ClientFixture.WaitTerminalAsync(images, dataset.Id, paths);
        Assert.All(statuses, s => Assert.Equal(ImageStatus.Completed, s.Status));
        Assert.Equal(uploadedIds, statuses.Select(s => s.CoactiveImageId!.Value));
        var stored = await images.GetMetadataForImagesAsync(statuses.Select(s => s.CoactiveImageId!.Value));
        Assert.Equal(["user-a", "user-b"], stored.Data.Select(i => i.Id));
        Assert.Equal("b", stored.Data[1].Metadata!["k"].GetString());
        for (var i = 0; i < files.Length; i++)
        {
            var bytes = await File.ReadAllBytesAsync(ClientFixture.Corpus(files[i]));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), stored.Data[i].TechnicalMetadata!.Sha256);
        }

        // Without a path the server names it upload://<sha256>/<file name>.
        await using (var c = File.OpenRead(ClientFixture.Corpus("imaging/flowers.png")))
        {
            var answer = await datasets.UploadFileAsync(dataset.Id, new UploadFile(c, "flowers.png"));
            var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(ClientFixture.Corpus("imaging/flowers.png"))));
            Assert.Equal($"upload://{sha}/flowers.png", Assert.Single(answer.DetailAssets()).SourcePath);
        }

        // Path given for some files only is refused before anything is sent.
        await using var d = File.OpenRead(ClientFixture.Corpus("imaging/flowers.png"));
        await Assert.ThrowsAsync<ArgumentException>(() => datasets.UploadFilesAsync(dataset.Id,
            [new UploadFile(d, "x.png") { Path = "upload://x" }, new UploadFile(d, "y.png")]));
    }

    [Fact]
    public async Task An_upload_larger_than_the_server_takes_is_413()
    {
        using var client = fixture.NewClient();
        var datasets = new DatasetApi(client);
        var dataset = await datasets.CreateDatasetAsync(ClientFixture.UniqueName("big"));
        var big = new MemoryStream(new byte[ClientFixture.MaxUploadBytes + 100_000]);

        var error = await Assert.ThrowsAsync<ApiException>(() => datasets.UploadFileAsync(dataset.Id, new UploadFile(big, "big.jpg")));
        Assert.Equal(413, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Detail));
    }
}
