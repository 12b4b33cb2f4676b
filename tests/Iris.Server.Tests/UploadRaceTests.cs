using System.Security.Cryptography;
using static Iris.Server.Tests.UploadsTests;

namespace Iris.Server.Tests;

/// <summary>
/// Two uploads of the same bytes at the same moment: one to a path the dataset already has (its new bytes are not
/// needed and go), one to a new path (which points at those bytes). The second image must keep its bytes.
/// </summary>
[Collection(IrisServerCollection.Name)]
public sealed class UploadRaceTests(ServerFixture server)
{
    [Fact]
    public async Task Bytes_an_image_points_at_survive_a_concurrent_upload_that_drops_them()
    {
        var datasetId = await server.Http.CreateDatasetIdAsync();
        Expect.Ok(await UploadAsync(server.Http, datasetId, Part.File(RandomNumberGenerator.GetBytes(64), "old.bin"), Part.Field("path", "upload://race/taken")));

        for (var round = 0; round < 100; round++)
        {
            var bytes = RandomNumberGenerator.GetBytes(4 * 1024);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            // Several of each, so the two kinds interleave in every order the server allows.
            var uploads = Enumerable.Range(0, 6).Select(i => i % 2 == 0
                ? UploadAsync(server.Http, datasetId, Part.File(bytes, "a.bin"), Part.Field("path", "upload://race/taken"))
                : UploadAsync(server.Http, datasetId, Part.File(bytes, "b.bin"), Part.Field("path", $"upload://race/new-{round}-{i}")));
            Assert.All(await Task.WhenAll(uploads), a => Expect.Ok(a));

            var blob = Path.Combine(server.DataDir, "blobs", "uploads", "sha256", sha[..2], sha);
            Assert.True(File.Exists(blob), $"round {round}: the bytes of upload://race/new-{round} are gone");
        }
    }
}
