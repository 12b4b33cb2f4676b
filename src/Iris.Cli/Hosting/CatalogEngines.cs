using Iris.Catalog;
using Iris.Catalog.Postgres;
using Iris.Catalog.Sqlite;

namespace Iris.Cli.Hosting;

/// <summary>
/// The one place that knows the catalog engines: <c>--database</c> chooses one (none: SQLite in the data folder; a
/// PostgreSQL connection string or <c>postgres://</c> URL: PostgreSQL), everything else sees <see cref="ICatalog"/>.
/// </summary>
public static class CatalogEngines
{
    /// <summary>Refuses a --database no engine can open, before anything starts.</summary>
    public static void Check(IrisOptions options)
    {
        if (options.Database is not { } database) return;
        if (!PostgresConnectionString.Handles(database))
            throw new SettingsException("--database must be a PostgreSQL connection string (Host=...;Username=...;Password=...;Database=...) or a postgres:// URL.");
        PostgresConnectionString.Parse(database);
    }

    public static Task<ICatalog> OpenAsync(IrisOptions options, CancellationToken ct) =>
        Task.FromResult<ICatalog>(options.Database is { } database
            ? PostgresCatalog.Create(database)
            : new SqliteCatalog(options.CatalogPath, options.RowCacheBytes));
}
