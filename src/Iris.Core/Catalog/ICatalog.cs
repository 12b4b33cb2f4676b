namespace Iris.Catalog;

/// <summary>A catalog engine: its schema is migrated by <see cref="MigrateAsync"/> and it exposes one store per aggregate.</summary>
public interface ICatalog : IAsyncDisposable
{
    /// <summary>Applies pending schema migrations in order; returns the schema version afterwards.</summary>
    Task<int> MigrateAsync(CancellationToken ct = default);

    IOrganizationStore Organizations { get; }
    ICredentialStore Credentials { get; }
    IDatasetStore Datasets { get; }
    IImageStore Images { get; }
    IIngestionQueue Queue { get; }
}
