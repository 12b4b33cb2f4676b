using Iris.Catalog.Postgres;
using Iris.Testing;
using Npgsql;

namespace Iris.Catalog.Tests.Engines;

/// <summary>
/// The PostgreSQL engine under test: one throwaway server for the whole test run (started on first use, stopped when
/// the test process ends), a new database per test.
/// </summary>
public sealed class PostgresTestEngine : TestEngine
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(async () =>
    {
        var server = await PostgresServer.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    });

    public static Task<PostgresServer> ServerAsync() => Shared.Value;

    public override async Task<TestDatabase> CreateAsync()
    {
        var server = await ServerAsync();
        var name = "t_" + Guid.NewGuid().ToString("N");
        var connection = await server.CreateDatabaseAsync(name);
        var catalog = PostgresCatalog.Create(connection);
        await catalog.MigrateAsync();
        return new PostgresTestDatabase(server, name, connection, catalog);
    }
}

public sealed class PostgresTestDatabase(PostgresServer server, string name, string connectionString, PostgresCatalog catalog) : TestDatabase
{
    public override ICatalog Catalog => catalog;

    public PostgresCatalog Postgres => catalog;

    public string ConnectionString => connectionString;

    public PostgresServer Server => server;

    public override long Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (n, value) in parameters) cmd.Parameters.AddWithValue(n.TrimStart('@'), value);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override async ValueTask DisposeAsync()
    {
        await catalog.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await server.PsqlAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (InvalidOperationException)
        {
            // best effort: the cluster is thrown away at the end anyway
        }
    }
}
