using System.Net;
using System.Net.Sockets;

namespace OrleansDedup.Testing.Processes;

/// <summary>
/// Loopback ports for child processes to listen on, taken below the kernel's ephemeral range. A port the kernel hands
/// out for port 0 is free when asked, but until the child binds it any outgoing connection (tests and silos open many,
/// to PostgreSQL among others) may be given it, and the child then fails to start.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 10000;
    private static readonly int End = EphemeralStart();
    private static int _next = Random.Shared.Next(End - First);

    public static int Next()
    {
        for (var tries = 0; tries < End - First; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % (uint)(End - First));
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException($"no free loopback port in {First}-{End - 1}");
    }

    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var start = File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var s) ? s : 32768;
        return Math.Max(start, First + 1000);
    }
}
