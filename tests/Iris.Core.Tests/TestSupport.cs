using System.Text.Json;
using Iris.Blobs;
using Iris.Ingestion;
using Iris.Models;

namespace Iris.Core.Tests;

internal static class Corpus
{
    /// <summary>The repository root: the folder above the test binaries that holds Iris.sln.</summary>
    public static readonly string RepoRoot = FindRepoRoot();

    /// <summary>The shared corpus, read in place (../shared/corpus from the repository root).</summary>
    public static readonly string Root = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Iris.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Iris.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder, deleted with everything in it.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("iris-core-tests-").FullName;

    public string File(string name, byte[]? bytes = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes ?? [1, 2, 3]);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// An in-memory blob store with its own scratch folder (<see cref="Temp"/>). With <c>localFiles</c> it opens blobs
/// as files, like the folder store (so uploads are read in place); without, as memory streams, like S3.
/// </summary>
internal sealed class FakeBlobStore(bool localFiles = true) : IBlobStore, IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _blobs = new();
    private readonly TempDir _dir = new();
    private TempFolder? _temp;

    /// <summary>The scratch folder sources download into.</summary>
    public TempFolder Temp => _temp ??= new TempFolder(Path.Combine(_dir.Path, "tmp"));

    /// <summary>Files left in the scratch folder.</summary>
    public IEnumerable<string> TempFiles() => Directory.EnumerateFiles(Temp.Path);

    public void Add(string key, byte[] bytes) => _blobs[key] = bytes;

    /// <summary>The blob written to a file of its own, for tests that open it by path; null if there is none.</summary>
    public string? LocalCopy(string key) => _blobs.TryGetValue(key, out var bytes) ? _dir.File("blobs/" + key, bytes) : null;

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(_blobs.ContainsKey(key));

    public Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        _blobs[key] = System.IO.File.ReadAllBytes(localFile);
        System.IO.File.Delete(localFile);
        return Task.CompletedTask;
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        _blobs[key] = bytes.ToArray();
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default)
    {
        if (!_blobs.TryGetValue(key, out var bytes)) return Task.FromResult<Stream?>(null);
        return Task.FromResult<Stream?>(localFiles ? System.IO.File.OpenRead(LocalCopy(key)!) : new MemoryStream(bytes, writable: false));
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        _blobs.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var key in _blobs.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            yield return new BlobInfo(key, _blobs[key].Length, DateTimeOffset.UtcNow);
        await Task.CompletedTask;
    }

    public void Dispose() => _dir.Dispose();
}

internal static class Jobs
{
    public static IngestionJob For(string path, string? blobSha256 = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), path, blobSha256, 1, DateTimeOffset.UtcNow.AddMinutes(5));

    /// <summary>file:/// URI of a local path, percent-encoding what a URI cannot hold as is.</summary>
    public static string FileUri(string path) => "file://" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Runs the default pipeline over a local file, allowing <paramref name="roots"/> (default: its folder).</summary>
    public static Task<IngestionOutcome> RunFile(string path, IrisOptions? options = null) =>
        Pipeline(options ?? new IrisOptions { AllowedRoots = [Path.GetDirectoryName(path)!] }).RunAsync(For(FileUri(path)), CancellationToken.None);

    /// <summary>The model, loaded once for every test that embeds (jobs name no encoder unless a test says so).</summary>
    public static readonly Lazy<Iris.Embeddings.IImageEmbedder> Embedder = new(() => new Iris.Embeddings.ResNetEmbedder());

    public static IngestionPipeline Pipeline(IrisOptions options, FakeBlobStore? blobs = null)
    {
        blobs ??= new FakeBlobStore();
        return IngestionPipeline.CreateDefault(options, blobs, blobs.Temp, new Iris.Sources.S3Access(options), TimeProvider.System, Embedder,
            (job, e) => throw new Xunit.Sdk.XunitException($"unexpected {e}"));
    }

    public static JsonElement Metadata(IngestionOutcome outcome)
    {
        Assert.True(outcome.Status == ImageStatus.Completed, $"{outcome.ErrorCode}: {outcome.ErrorReason}");
        return JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
    }
}
