using Microsoft.Data.Sqlite;

namespace Iris.Catalog.Sqlite;

/// <summary>
/// The embedded catalog: one SQLite file in WAL mode, used by one server (the data folder's lock sees to that). Every operation opens a pooled connection;
/// writes run in <c>BEGIN IMMEDIATE</c> transactions so concurrent writers queue on the busy
/// timeout instead of failing on a lock upgrade.
/// </summary>
public sealed class SqliteCatalog : ICatalog
{
    private const string ConnectionPragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

    private readonly string _connectionString;

    /// <param name="rowCacheBytes">Memory for recently read image rows (<see cref="ImageRowCache"/>); 0 keeps none.</param>
    public SqliteCatalog(string databasePath, long rowCacheBytes = IrisOptions.DefaultRowCacheBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        Reads = new ReadConnections(new SqliteConnectionStringBuilder(_connectionString)
        {
            Mode = SqliteOpenMode.ReadWrite, // read-only by PRAGMA query_only; opened after the migrations
            Pooling = false, // kept open by ReadConnections instead
        }.ToString());

        RowCache = new ImageRowCache(rowCacheBytes);
        Organizations = new SqliteOrganizationStore(this);
        Credentials = new SqliteCredentialStore(this);
        Datasets = new SqliteDatasetStore(this);
        Images = new SqliteImageStore(this);
        Queue = new SqliteIngestionQueue(this);
        Jobs = new SqliteJobStore(this);
        Embeddings = new SqliteEmbeddingStore(this);
    }

    public ICatalogLocks Locks { get; } = new InProcessLocks();

    /// <summary>Wakes this process's workers after a commit that queued jobs (only this process writes the file).</summary>
    internal JobSignal Signal { get; } = new();

    public async Task PingAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
        using var cmd = connection.Command(null, "SELECT 1");
        cmd.ExecuteScalar();
    }

    public string DatabasePath { get; }

    public IOrganizationStore Organizations { get; }
    public ICredentialStore Credentials { get; }
    public IDatasetStore Datasets { get; }
    public IImageStore Images { get; }
    public IIngestionQueue Queue { get; }

    public IIngestJobStore Jobs { get; }

    public IEmbeddingStore Embeddings { get; }

    /// <summary>Open connections with prepared statements for the hot reads (image metadata, statuses).</summary>
    internal ReadConnections Reads { get; }

    /// <summary>Image rows read lately; every connection written through reports what it changes to it.</summary>
    internal ImageRowCache RowCache { get; }

    /// <summary>Opens the catalog at <paramref name="databasePath"/> and migrates its schema.</summary>
    public static async Task<SqliteCatalog> OpenAsync(string databasePath, CancellationToken ct = default, long rowCacheBytes = IrisOptions.DefaultRowCacheBytes)
    {
        var catalog = new SqliteCatalog(databasePath, rowCacheBytes);
        try
        {
            await catalog.MigrateAsync(ct).ConfigureAwait(false);
            return catalog;
        }
        catch
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task<int> MigrateAsync(CancellationToken ct = default) => MigrateAsync(Migrations.All, ct);

    internal async Task<int> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
        return Migrations.Apply(connection, migrations, ct);
    }

    /// <summary>A pooled connection with the per-connection pragmas set (they do not persist in the file).</summary>
    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            using var pragmas = connection.Command(null, ConnectionPragmas);
            pragmas.ExecuteNonQuery();
            RowCache.Track(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the pooled connections so the database files are released.</summary>
    public ValueTask DisposeAsync()
    {
        Reads.Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
