using Iris.Catalog.Sqlite;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Tests.Engines;

public sealed class SqliteTestEngine : TestEngine
{
    public override async Task<TestDatabase> CreateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "iris-catalog-tests-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "sub", "catalog.db");
        return new SqliteTestDatabase(folder, await SqliteCatalog.OpenAsync(path));
    }
}

public sealed class SqliteTestDatabase(string folder, SqliteCatalog catalog) : TestDatabase
{
    public override ICatalog Catalog => catalog;

    public SqliteCatalog Sqlite => catalog;

    public string Folder => folder;

    public string DbPath => catalog.DatabasePath;

    /// <summary>A connection outside the catalog's pool, for checks the interfaces do not expose.</summary>
    public SqliteConnection RawConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public override long Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = cmd.Parameters.AddWithValue(name, value);
            if (value is Guid) parameter.SqliteType = SqliteType.Blob; // ids are 16-byte BLOBs
        }
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override async ValueTask DisposeAsync()
    {
        await catalog.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp folder must not fail the test
        }
    }
}
