namespace Iris.Catalog.Tests.Engines;

/// <summary>A catalog engine under test: each test gets a fresh, migrated catalog of its own (a new file, a new database).</summary>
public abstract class TestEngine
{
    public abstract Task<TestDatabase> CreateAsync();
}

/// <summary>One fresh catalog and a way to look behind its interfaces with plain SQL (both engines speak it, with @name parameters).</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract ICatalog Catalog { get; }

    /// <summary>The first column of the first row, as a number; a Guid parameter is bound as the engine stores ids.</summary>
    public abstract long Scalar(string sql, params (string Name, object Value)[] parameters);

    public abstract ValueTask DisposeAsync();
}
