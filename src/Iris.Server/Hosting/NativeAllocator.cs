using System.Runtime.InteropServices;

namespace Iris.Server.Hosting;

/// <summary>
/// libvips allocates pixels with malloc from many threads; glibc then keeps one arena per thread and
/// the resident size balloons (NOTES.md: 419 MB instead of 135 MB on a full-decode run). Capping the
/// arenas at start does what MALLOC_ARENA_MAX=2 does, for `dotnet run` as well as the launch script.
/// </summary>
internal static partial class NativeAllocator
{
    private const int MArenaMax = -8; // M_ARENA_MAX from malloc.h

    public static void LimitArenas(int arenas = 2)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 }) return;
        try
        {
            mallopt(MArenaMax, arenas);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no arenas): nothing to limit.
        }
    }

    [LibraryImport("libc")]
    private static partial int mallopt(int param, int value);
}
