using System.Runtime.InteropServices;

namespace Iris.Bench.Search;

/// <summary>The CPU time of the calling thread (clock_gettime with CLOCK_THREAD_CPUTIME_ID), unaffected by other processes' load.</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    public static double Milliseconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0)
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        return spec.Seconds * 1e3 + spec.Nanoseconds / 1e6;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec spec);
}
