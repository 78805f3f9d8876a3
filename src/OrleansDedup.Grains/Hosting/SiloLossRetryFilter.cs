using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using OrleansDedup.Abstractions.Calls;

namespace OrleansDedup.Grains.Hosting;

/// <summary>
/// Sends an <see cref="IdempotentAttribute">idempotent</see> call again when the silo it went to left before answering:
/// a stopping silo rejects or drops what reaches its deactivating grains, and their next activation, elsewhere, answers
/// the retry. Other calls fail as before, for their callers to decide (a segment, say, reruns under a new key).
/// </summary>
/// <remarks>Orleans lets an outgoing filter invoke a call more than once (dotnet/orleans#6414). The delays add up to
/// about 15 s: enough for membership to declare a killed silo dead and the directory to forget its grains.</remarks>
public sealed class SiloLossRetryFilter(ILogger<SiloLossRetryFilter> logger) : IOutgoingGrainCallFilter
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(7)];

    /// <summary>Per interface method, whether it is marked: every grain call passes here, index batches included, so
    /// the attribute is looked up once per method, not once per call.</summary>
    private static readonly ConcurrentDictionary<MethodInfo, bool> Idempotent = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod is not { } method || !Idempotent.GetOrAdd(method, m => m.GetCustomAttribute<IdempotentAttribute>() is not null))
        {
            await context.Invoke();
            return;
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await context.Invoke();
                return;
            }
            catch (Exception e) when (attempt < Delays.Length && IsSiloLoss(e))
            {
                logger.LogInformation("{Grain}.{Method} lost its silo ({Reason}); sending it again", context.TargetId, context.MethodName,
                    e.Message.Split('\n', 2)[0]);
                await Task.Delay(Delays[attempt]);
            }
        }
    }

    /// <summary>The silo went away under the call, or refused it while stopping; never an error of the call itself.</summary>
    public static bool IsSiloLoss(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException;
}
