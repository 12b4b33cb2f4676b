using Iris.Catalog.Sqlite;
using Iris.Catalog.Tests.Engines;
using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Tests.Sqlite;

/// <summary>For what only the SQLite engine has: its file, its pragmas, its query plans.</summary>
public abstract class SqliteTestBase() : CatalogTestBase(new SqliteTestEngine())
{
    private SqliteTestDatabase Sqlite => (SqliteTestDatabase)Database;

    protected new SqliteCatalog Catalog => Sqlite.Sqlite;

    protected string Folder => Sqlite.Folder;

    protected string DbPath => Sqlite.DbPath;

    protected SqliteConnection RawConnection() => Sqlite.RawConnection();

    /// <summary>The query plan SQLite chooses, one line per step.</summary>
    protected List<string> Plan(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = RawConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var plan = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) plan.Add(r.GetString(3));
        return plan;
    }
}
