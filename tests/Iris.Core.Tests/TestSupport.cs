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

/// <summary>An in-memory blob store; <see cref="TryGetLocalPath"/> writes blobs to a temp folder on demand.</summary>
internal sealed class FakeBlobStore(bool localFiles = true) : IBlobStore, IDisposable
{
    private readonly Dictionary<string, byte[]> _blobs = [];
    private readonly TempDir _dir = new();

    public void Add(string key, byte[] bytes) => _blobs[key] = bytes;

    public Task PutFileAsync(string key, string localFile, CancellationToken ct = default)
    {
        _blobs[key] = System.IO.File.ReadAllBytes(localFile);
        System.IO.File.Delete(localFile);
        return Task.CompletedTask;
    }

    public string? TryGetLocalPath(string key) =>
        localFiles && _blobs.TryGetValue(key, out var bytes) ? _dir.File(key, bytes) : null;

    public Task<Stream?> OpenReadAsync(string key, CancellationToken ct = default) =>
        Task.FromResult<Stream?>(_blobs.TryGetValue(key, out var bytes) ? new MemoryStream(bytes) : null);

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        _blobs.Remove(key);
        return Task.CompletedTask;
    }

    public string NewTempPath() => Path.Combine(_dir.Path, "tmp-" + Guid.NewGuid().ToString("N"));

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

    public static IngestionPipeline Pipeline(IrisOptions options, IBlobStore? blobs = null) =>
        IngestionPipeline.CreateDefault(options, blobs ?? new FakeBlobStore(), TimeProvider.System,
            (job, e) => throw new Xunit.Sdk.XunitException($"unexpected {e}"));

    public static JsonElement Metadata(IngestionOutcome outcome)
    {
        Assert.True(outcome.Status == ImageStatus.Completed, $"{outcome.ErrorCode}: {outcome.ErrorReason}");
        return JsonDocument.Parse(outcome.TechnicalMetadataJson!).RootElement;
    }
}
