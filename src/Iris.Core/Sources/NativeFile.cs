using System.Runtime.InteropServices;

namespace Iris.Sources;

/// <summary>
/// The two libc calls .NET does not offer: <c>realpath</c> (resolves every symlink and <c>..</c> the way
/// the kernel will when the file is opened) and <c>statx</c> (tells a regular file from a FIFO or device
/// without opening it, which could block). Linux only, like the server.
/// </summary>
internal static unsafe partial class NativeFile
{
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;

    public enum Kind { Missing, Regular, Directory, Other }

    /// <summary>The canonical absolute path, or null with <paramref name="errno"/> set.</summary>
    public static string? RealPath(string path, out int errno)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        try
        {
            errno = 0;
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>File type and size without following a final symlink (callers pass real paths).</summary>
    public static (Kind Kind, long Size) Stat(string path, out int errno)
    {
        // struct statx has the same layout on every architecture: stx_mode is a u16 at 28, stx_size a u64 at 40.
        byte* buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxSize, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return (Kind.Missing, 0);
        }
        errno = 0;
        var type = *(ushort*)(buffer + 28) & 0xF000;
        var size = *(long*)(buffer + 40);
        return (type switch { 0x8000 => Kind.Regular, 0x4000 => Kind.Directory, _ => Kind.Other }, size);
    }

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
