using Iris.Catalog;
using Iris.Catalog.Sqlite;

namespace Iris.Cli.Hosting;

/// <summary>The one place that knows the catalog engines: the options choose one, everything else sees <see cref="ICatalog"/>.</summary>
public static class CatalogEngines
{
    /// <summary>Refuses a --database no engine can open, before anything starts.</summary>
    public static void Check(IrisOptions options)
    {
        if (options.Database is not null)
            throw new SettingsException("--database: PostgreSQL is not built into this version yet; leave it out for the embedded SQLite catalog.");
    }

    /// <summary>The embedded SQLite catalog in the data folder.</summary>
    public static Task<ICatalog> OpenAsync(IrisOptions options, CancellationToken ct) =>
        Task.FromResult<ICatalog>(new SqliteCatalog(options.CatalogPath));
}
