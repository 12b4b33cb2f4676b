using System.Net.Sockets;
using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>
/// The catalog on PostgreSQL, for several stateless nodes: every node opens the same database. Connections come
/// from one Npgsql pool; a database that is down, restarting or unreachable surfaces as
/// <see cref="CatalogUnavailableException"/> within the connect timeout (the API answers 503, workers back off),
/// never as an image error. Migrations run under an advisory lock, so nodes may start at once.
/// </summary>
public sealed class PostgresCatalog : ICatalog
{
    /// <summary>The channel AddAsync and ReleaseAsync notify when they queue jobs.</summary>
    internal const string JobsChannel = "iris_jobs";

    private readonly JobListener _listener;

    private PostgresCatalog(NpgsqlDataSource source, NpgsqlDataSource reads, NpgsqlDataSource queue)
    {
        Source = source;
        Reads = reads;
        QueueSource = queue;
        _listener = new JobListener(source, Signal);
        Organizations = new PostgresOrganizationStore(this);
        Credentials = new PostgresCredentialStore(this);
        Datasets = new PostgresDatasetStore(this);
        Images = new PostgresImageStore(this);
        Queue = new PostgresIngestionQueue(this, _listener);
        Jobs = new PostgresJobStore(this);
        Embeddings = new PostgresEmbeddingStore(this);
        Locks = new PostgresLocks(this);
    }

    /// <summary>A catalog on the database the connection string (or <c>postgres://</c> URL) names; nothing is opened yet.</summary>
    public static PostgresCatalog Create(string connection)
    {
        var builder = PostgresConnectionString.Parse(connection);
        // Connections of this pool carry no session state between uses (advisory locks are released explicitly),
        // so they are not reset on return: one statement less per call.
        builder.NoResetOnClose = true;
        // At most 25 + 10 + 10 connections per node unless the connection string says otherwise, so that a few
        // nodes fit PostgreSQL's default of 100 connections (the README says how to size both).
        var ownPoolSize = connection.Contains("Pool Size", StringComparison.OrdinalIgnoreCase);
        if (!ownPoolSize) builder.MaxPoolSize = 25;
        var source = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        if (!ownPoolSize) builder.MaxPoolSize = 10;
        // The queue's own bookkeeping (claims, renewals, hand-backs, completions) commits without waiting for the disk:
        // after a database crash the last moment of it may be lost, which only means an image is claimed or processed
        // once more (its job is still there). Adding images, which clients are told has happened, stays synchronous.
        var queue = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            Options = ((builder.Options ?? "") + " -c synchronous_commit=off").Trim(),
        }.ConnectionString).Build();
        // The hot single-statement reads share connections: many requests' commands go out in one write and their
        // answers come back in one read (multiplexing), about twice the reads per second of a connection each and
        // half the CPU on this side. Never for transactions, locks or LISTEN, which hold a connection's state.
        builder.Multiplexing = true;
        builder.KeepAlive = 0; // Npgsql's own keepalive query does not go with multiplexing; the TCP one does
        var reads = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        return new PostgresCatalog(source, reads, queue);
    }

    /// <summary>Connections for transactions, advisory locks and LISTEN.</summary>
    internal NpgsqlDataSource Source { get; }

    /// <summary>Multiplexed connections for reads of one statement outside any transaction.</summary>
    internal NpgsqlDataSource Reads { get; }

    /// <summary>Connections for the queue's bookkeeping, committing asynchronously (synchronous_commit off).</summary>
    internal NpgsqlDataSource QueueSource { get; }

    /// <summary>Wakes this process's workers: after its own commits that queue jobs, and on other nodes' NOTIFY.</summary>
    internal JobSignal Signal { get; } = new();

    public IOrganizationStore Organizations { get; }
    public ICredentialStore Credentials { get; }
    public IDatasetStore Datasets { get; }
    public IImageStore Images { get; }
    public IIngestionQueue Queue { get; }

    public IIngestJobStore Jobs { get; }

    public IEmbeddingStore Embeddings { get; }
    public ICatalogLocks Locks { get; }

    public Task<int> MigrateAsync(CancellationToken ct = default) => MigrateAsync(PgMigrations.All, ct);

    internal Task<int> MigrateAsync(IReadOnlyList<PgMigration> migrations, CancellationToken ct) =>
        RunAsync(connection => PgMigrations.ApplyAsync(connection, migrations, ct), ct);

    public Task PingAsync(CancellationToken ct = default) => RunAsync(async connection =>
    {
        await using var cmd = new NpgsqlCommand("SELECT 1", connection);
        await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return true;
    }, ct);

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection; a database that cannot be reached becomes
    /// <see cref="CatalogUnavailableException"/>. Deadlocks and serialization failures are retried a few times.
    /// </summary>
    internal Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => GuardAsync(async () =>
    {
        await using var connection = await Source.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }, ct);

    /// <summary><see cref="RunAsync{T}"/> for the queue's bookkeeping, on the asynchronously committing pool.</summary>
    internal Task<T> RunQueueAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => GuardAsync(async () =>
    {
        await using var connection = await QueueSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }, ct);

    /// <summary>
    /// <see cref="RunAsync{T}"/> for one statement that only reads, on the multiplexed pool. A read that meets a
    /// dead connection (the database restarted since it was opened) is tried once more on a fresh one.
    /// </summary>
    internal Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct) => GuardAsync(async () =>
    {
        await using var connection = await Reads.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }, ct, idempotent: true);

    /// <summary><see cref="RunAsync{T}"/> for work that opens its own connections.</summary>
    internal async Task<T> GuardAsync<T>(Func<Task<T>> work, CancellationToken ct, bool idempotent = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 5)
            {
                await Task.Delay(Random.Shared.Next(5, 50) * attempt, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                // After a restart of the database every idle pooled connection is dead: drop them all at the first
                // failure, so one request answers 503 instead of one per pooled connection.
                Source.Clear();
                Reads.Clear();
                QueueSource.Clear();
                if (idempotent && attempt == 1) continue;
                throw new CatalogUnavailableException("The catalog database cannot be reached; retry in a moment.", e);
            }
        }
    }

    /// <summary>Down, restarting, refusing connections or cut off: not a fault of the statement.</summary>
    internal static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exceptions
                                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // shutting down, starting up
                                || pg.SqlState.StartsWith("53", StringComparison.Ordinal), // out of connections, disk, memory
        NpgsqlException => true, // transport: refused, reset, timed out
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        await Reads.DisposeAsync().ConfigureAwait(false);
        await QueueSource.DisposeAsync().ConfigureAwait(false);
        await Source.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Reads a <c>--database</c> value: an Npgsql connection string or a <c>postgres://user:password@host:port/db?param=value</c> URL.</summary>
public static class PostgresConnectionString
{
    public static bool Handles(string database) =>
        database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || database.Contains('=', StringComparison.Ordinal);

    public static NpgsqlConnectionStringBuilder Parse(string database)
    {
        NpgsqlConnectionStringBuilder builder;
        if (database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(database, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                throw new SettingsException("--database: not a valid postgres://user:password@host:port/database URL.");
            builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
            if (uri.Port > 0) builder.Port = uri.Port;
            if (uri.UserInfo.Length > 0)
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
                if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
            var name = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (name.Length > 0) builder.Database = name;
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
                try
                {
                    builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
                }
                catch (ArgumentException)
                {
                    throw new SettingsException($"--database: '{key}' is not a connection parameter Npgsql knows.");
                }
            }
        }
        else
        {
            try
            {
                builder = new NpgsqlConnectionStringBuilder(database);
            }
            catch (ArgumentException e)
            {
                // The message names the key, never the value (it may be the password).
                throw new SettingsException($"--database: not a valid PostgreSQL connection string ({e.Message.Split('\n')[0]}).");
            }
        }
        if (string.IsNullOrEmpty(builder.Host)) throw new SettingsException("--database: the connection string names no Host.");

        // Bounded waits: a database that is down answers 503 within seconds, not after the default 15 s + 30 s.
        if (!database.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = 5;
        if (!database.Contains("Command Timeout", StringComparison.OrdinalIgnoreCase)) builder.CommandTimeout = 30;
        // TCP keepalives find a database host that vanished without closing the connections.
        if (!database.Contains("Keepalive", StringComparison.OrdinalIgnoreCase)) builder.TcpKeepAlive = true;
        builder.ApplicationName ??= "iris";
        // The hot reads are a handful of statements: prepared once per physical connection.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 32;
        builder.AutoPrepareMinUsages = 2;
        return builder;
    }
}
