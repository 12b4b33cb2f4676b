using System.Security.Cryptography;
using Iris.Blobs;
using Iris.Core.Tests.Sources;
using Iris.Sources;
using Iris.Tests.Servers;

namespace Iris.Core.Tests;

/// <summary>What every blob store does, the same on a folder and on S3 (s3rver): contents are compared, not status codes.</summary>
public abstract class BlobStoreTests : IDisposable
{
    private readonly TempDir _scratch = new();

    protected abstract IBlobStore Store { get; }

    public virtual void Dispose() => _scratch.Dispose();

    private string LocalFile(byte[] bytes) => _scratch.File(Guid.NewGuid().ToString("N"), bytes);

    private async Task<byte[]?> ReadAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key);
        if (stream is null) return null;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static string Key(string name) => $"tests/{Guid.NewGuid():N}/{name}";

    [Fact]
    public async Task A_file_put_is_stored_byte_for_byte_and_taken()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var file = LocalFile(bytes);
        var key = Key("a");
        Assert.False(await Store.ExistsAsync(key));

        await Store.PutFileAsync(key, file);

        Assert.False(File.Exists(file)); // the store took it
        Assert.True(await Store.ExistsAsync(key));
        Assert.Equal(bytes, await ReadAsync(key));
    }

    [Fact]
    public async Task Bytes_put_replace_what_was_there()
    {
        var key = Key("b");
        await Store.PutAsync(key, "first"u8.ToArray());
        await Store.PutAsync(key, "second, longer"u8.ToArray());
        var second = await ReadAsync(key);
        Assert.Equal("second, longer"u8.ToArray(), second);
        await Store.PutAsync(key, Array.Empty<byte>());
        var empty = await ReadAsync(key);
        Assert.NotNull(empty);
        Assert.Empty(empty);
    }

    [Fact]
    public async Task A_missing_blob_is_null_and_deleting_it_is_no_error()
    {
        var key = Key("missing");
        Assert.Null(await ReadAsync(key));
        Assert.False(await Store.ExistsAsync(key));
        await Store.DeleteAsync(key);

        await Store.PutAsync(key, "x"u8.ToArray());
        await Store.DeleteAsync(key);
        Assert.Null(await ReadAsync(key));
        Assert.False(await Store.ExistsAsync(key));
    }

    [Fact]
    public async Task Listing_a_prefix_gives_its_blobs_in_key_order_with_their_sizes()
    {
        var root = $"list/{Guid.NewGuid():N}/";
        var keys = Enumerable.Range(0, 7).Select(i => $"{root}{(i % 2 == 0 ? "even" : "odd")}/{i:D2}").ToList();
        foreach (var key in keys) await Store.PutAsync(key, new byte[keys.IndexOf(key) + 1]);
        await Store.PutAsync($"list/{Guid.NewGuid():N}/other", new byte[1]);

        var all = await ToListAsync(Store.ListAsync(root));
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(b => b.Key));
        Assert.Equal(keys.Order(StringComparer.Ordinal).Select(k => (long)(keys.IndexOf(k) + 1)), all.Select(b => b.Size));
        Assert.Equal(keys.Where(k => k.Contains("/odd/", StringComparison.Ordinal)), (await ToListAsync(Store.ListAsync(root + "odd/"))).Select(b => b.Key));
        Assert.Empty(await ToListAsync(Store.ListAsync($"list/{Guid.NewGuid():N}/")));
    }

    private static async Task<List<BlobInfo>> ToListAsync(IAsyncEnumerable<BlobInfo> blobs)
    {
        var list = new List<BlobInfo>();
        await foreach (var blob in blobs) list.Add(blob);
        return list;
    }
}

public sealed class FileBlobStoreTests : BlobStoreTests
{
    private readonly TempDir _root = new();

    public FileBlobStoreTests() => Store = new FileBlobStore(Path.Combine(_root.Path, "blobs"));

    protected override IBlobStore Store { get; }

    [Fact]
    public void Keys_that_could_leave_the_folder_are_refused()
    {
        foreach (var key in new[] { "../x", "a/../../x", "/etc/passwd", "a\\b", "tmp/staged", "" })
            Assert.ThrowsAny<ArgumentException>(() => Store.ExistsAsync(key).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_blob_opens_as_a_file_read_in_place()
    {
        await Store.PutAsync("k/1", "abc"u8.ToArray());
        await using var stream = await Store.OpenReadAsync("k/1");
        Assert.Equal(Path.Combine(_root.Path, "blobs", "k", "1"), Assert.IsType<FileStream>(stream).Name);
    }

    public override void Dispose()
    {
        base.Dispose();
        _root.Dispose();
    }
}

public sealed class S3BlobStoreTests(S3rverFixture s3) : BlobStoreTests, IClassFixture<S3rverFixture>
{
    private readonly S3BlobStore _store = new(S3rverFixture.Access(s3.Options()), S3rverFixture.Bucket, "blob-store-tests/", ownsAccess: true) { PageSize = 3 };

    protected override IBlobStore Store => _store;

    public override void Dispose()
    {
        base.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Keys_live_below_the_prefix_in_the_bucket()
    {
        await _store.PutAsync("below/prefix", "p"u8.ToArray());
        using var raw = await s3.Server.Client.GetObjectAsync(S3rverFixture.Bucket, "blob-store-tests/below/prefix");
        using var copy = new MemoryStream();
        await raw.ResponseStream.CopyToAsync(copy);
        Assert.Equal("p"u8.ToArray(), copy.ToArray());
        await _store.CheckAsync(default);
    }

    [Theory]
    [InlineData("s3://bucket/iris/", "bucket", "iris/")]
    [InlineData("s3://bucket/iris", "bucket", "iris/")]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://my.bucket/a/b/", "my.bucket", "a/b/")]
    public void Blob_urls_name_a_bucket_and_a_prefix(string url, string bucket, string prefix)
    {
        Assert.True(S3BlobStore.TryParse(url, out var b, out var p));
        Assert.Equal((bucket, prefix), (b, p));
    }

    [Theory]
    [InlineData("file:///srv/blobs")]
    [InlineData("s3://")]
    [InlineData("s3://bucket/../x/")]
    public void Other_urls_are_not_blob_stores(string url) => Assert.False(S3BlobStore.TryParse(url, out _, out _));

    [Fact]
    public async Task An_unreachable_store_is_unavailable_not_missing()
    {
        var options = s3.Options();
        options.S3Endpoint = $"http://127.0.0.1:{Iris.Testing.TestEnvironment.FreePort()}"; // nothing listens
        using var down = new S3BlobStore(S3rverFixture.Access(options), S3rverFixture.Bucket, "x/", ownsAccess: true);
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => down.ExistsAsync("k"));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => down.OpenReadAsync("k"));
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => down.PutAsync("k", new byte[1]));
        var refused = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => down.CheckAsync(default));
        Assert.Contains("s3://", refused.Message);

        using var wrongKey = new S3BlobStore(S3rverFixture.Access(s3.Options(), accessKey: "NOT-A-KEY"), S3rverFixture.Bucket, "x/", ownsAccess: true);
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => wrongKey.PutAsync("k", new byte[1]));
        using var noBucket = new S3BlobStore(S3rverFixture.Access(s3.Options()), "no-such-bucket", "x/", ownsAccess: true);
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => noBucket.CheckAsync(default));
    }
}
