using System.Net.Sockets;
using Orleans.Runtime.Messaging;

namespace OrleansDedup.Cli.Hosting;

/// <summary>
/// How often the client tries the gateways again. While the connection is refused at the socket (a silo may be
/// starting) it waits as Orleans' default does, 15 times, 1.5 s longer each time. Otherwise it tries twice more: a
/// gateway that accepted the connection and dropped it before the Orleans handshake refused the TLS handshake (no
/// certificate, or one the cluster's CA did not sign), which trying again does not cure, so the user hears it in
/// seconds rather than after three minutes.
/// </summary>
internal sealed class RefusedGatewayRetryFilter : IClientConnectionRetryFilter
{
    private const int UnreachableRetries = 15;
    private const int RefusedRetries = 2;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1500);

    private int _retries;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (ConnectionFailedException or OrleansMessageRejectionException)) return false;
        if (_retries >= (IsUnreachable(exception) ? UnreachableRetries : RefusedRetries)) return false;
        _retries++;
        await Task.Delay(Step * _retries, cancellationToken);
        return true;
    }

    private static bool IsUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SocketException) return true;
        return false;
    }
}
