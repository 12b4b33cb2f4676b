using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using Microsoft.Win32.SafeHandles;

namespace Iris.Search;

/// <summary>
/// The few functions of USearch's C library that its managed wrapper does not expose (filtered search, memory usage,
/// the search expansion, thread contexts) or exposes only through arrays; the library is the one the package ships.
/// </summary>
internal static unsafe class USearchNative
{
    private const string Library = "libusearch_c";

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr usearch_init(ref IndexOptions options, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_free(IntPtr index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_memory_usage(USearchHandle index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_size(USearchHandle index, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_reserve(USearchHandle index, nuint capacity, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_threads_add(USearchHandle index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_threads_search(USearchHandle index, nuint threads, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_change_expansion_search(USearchHandle index, nuint expansion, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern void usearch_add(USearchHandle index, ulong key, float* vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_remove(USearchHandle index, ulong key, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_get(USearchHandle index, ulong key, nuint count, float* vector, ScalarKind kind, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_search(USearchHandle index, float* query, ScalarKind kind, nuint count,
        ulong* keys, float* distances, out IntPtr error);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    public static extern nuint usearch_filtered_search(USearchHandle index, float* query, ScalarKind kind, nuint count,
        delegate* unmanaged[Cdecl]<ulong, IntPtr, int> filter, IntPtr state, ulong* keys, float* distances, out IntPtr error);

    /// <summary>USearch reports failures as a static message (never freed by the caller).</summary>
    public static void Check(IntPtr error)
    {
        if (error != IntPtr.Zero)
            throw new InvalidOperationException("USearch: " + (Marshal.PtrToStringUTF8(error) ?? "unknown error"));
    }
}

/// <summary>Owns one native USearch index; freed once, also when the owner forgot to dispose.</summary>
internal sealed class USearchHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private USearchHandle() : base(ownsHandle: true)
    {
    }

    public static USearchHandle Create(IndexOptions options)
    {
        var pointer = USearchNative.usearch_init(ref options, out var error);
        if (error != IntPtr.Zero && pointer != IntPtr.Zero)
            USearchNative.usearch_free(pointer, out _);
        USearchNative.Check(error);
        if (pointer == IntPtr.Zero)
            throw new OutOfMemoryException("USearch could not create an index.");
        var handle = new USearchHandle();
        handle.SetHandle(pointer);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        USearchNative.usearch_free(handle, out _);
        return true;
    }
}
