namespace Iris.Catalog;

/// <summary>
/// A catalog engine (SQLite embedded, PostgreSQL for several nodes): its schema is migrated by
/// <see cref="MigrateAsync"/> and it exposes one store per aggregate. Engines persist; the rules of what a change
/// means live in the Core services. An engine that cannot reach its database throws <see cref="CatalogUnavailableException"/>.
/// </summary>
public interface ICatalog : IAsyncDisposable
{
    /// <summary>Applies pending schema migrations in order (safe when several nodes start at once); returns the schema version afterwards.</summary>
    Task<int> MigrateAsync(CancellationToken ct = default);

    /// <summary>Answers once the database does (a readiness probe); throws <see cref="CatalogUnavailableException"/> otherwise.</summary>
    Task PingAsync(CancellationToken ct = default);

    IOrganizationStore Organizations { get; }
    ICredentialStore Credentials { get; }
    IDatasetStore Datasets { get; }
    IImageStore Images { get; }
    IIngestionQueue Queue { get; }
    IIngestJobStore Jobs { get; }
    IEmbeddingStore Embeddings { get; }
    ICatalogLocks Locks { get; }
}

/// <summary>
/// Named locks that hold across every process on the same catalog (in-process for the embedded one, which has a
/// single server; advisory locks on PostgreSQL), for the few steps that must not interleave between nodes.
/// </summary>
public interface ICatalogLocks
{
    /// <summary>Waits for and holds every named lock until the result is disposed; names are taken in one fixed order, so two holders never deadlock.</summary>
    Task<IAsyncDisposable> AcquireAsync(IReadOnlyCollection<string> names, CancellationToken ct = default);
}

/// <summary>The catalog's database is down, restarting or unreachable (not a fault of the request or of an image).</summary>
public sealed class CatalogUnavailableException(string message, Exception? inner = null) : ServiceUnavailableException(message, inner);
