using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>
/// Named locks across every node as PostgreSQL session advisory locks, held on a connection of their own until
/// released (or until that connection dies, when the server releases them). A name becomes its 64-bit key through
/// SHA-256: two names sharing a key only wait for each other, never break anything.
/// </summary>
internal sealed class PostgresLocks(PostgresCatalog db) : ICatalogLocks
{
    public Task<IAsyncDisposable> AcquireAsync(IReadOnlyCollection<string> names, CancellationToken ct = default)
    {
        var keys = names.Select(Key).Distinct().Order().ToArray();
        if (keys.Length == 0) return Task.FromResult<IAsyncDisposable>(new Held(null));
        return db.GuardAsync<IAsyncDisposable>(async () =>
        {
            // A connection that stays open while the locks are held.
            var connection = await db.Source.OpenConnectionAsync(ct);
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, n) ORDER BY n", connection);
                cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = keys });
                await cmd.ExecuteNonQueryAsync(ct);
                return new Held(connection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }, ct);
    }

    private static long Key(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);

    private sealed class Held(NpgsqlConnection? connection) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (connection is null || Interlocked.Exchange(ref _released, 1) == 1) return;
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await cmd.ExecuteNonQueryAsync();
            }
            catch (Exception e) when (PostgresCatalog.IsUnavailable(e))
            {
                // The connection is gone, and its locks with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
