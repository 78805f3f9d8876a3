using OrleansDedup.Abstractions.Index;
using OrleansDedup.Abstractions.Segments;

namespace OrleansDedup.Grains.Tests.Infrastructure;

/// <summary>Holds the first matching grain call, once armed, until the test releases it; reports the silo it was held on.</summary>
public sealed class CallGate
{
    private int _armed;
    private readonly TaskCompletionSource<string> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>Completes with the name of the silo the held call is on.</summary>
    public Task<string> Reached => _reached.Task;

    public void Release() => _release.TrySetResult();

    /// <summary>Fails the held call instead of letting it through: a call from a process that died never arrives.</summary>
    public void Fail(Exception reason) => _release.TrySetException(reason);

    public Task Pass(string silo)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 0) return Task.CompletedTask;
        _reached.TrySetResult(silo);
        return _release.Task;
    }
}

/// <summary>Holds a segment's Insert into the index before it is sent: the segment has written and flushed the new chunks
/// into its pack, and the index does not point at them yet. (Or the index call <paramref name="method"/> names.)</summary>
internal sealed class HoldSegmentInsert(CallGate gate, string silo, string method = nameof(IFingerprintIndexGrain.Insert)) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IFingerprintIndexGrain) && context.MethodName == method
            && context.SourceId is { } source && source.Type.ToString() == "segment")
        {
            await gate.Pass(silo);
        }

        await context.Invoke();
    }
}

/// <summary>Holds a segment's successful response after its work is done: the reply is "in flight".</summary>
internal sealed class HoldSegmentResponse(CallGate gate, string silo) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.DeclaringType == typeof(ISegmentGrain)) await gate.Pass(silo);
    }
}

/// <summary>Records the silo each call of interface <typeparamref name="T"/> ran on.</summary>
public sealed class SiloRecorder<T>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _silos = new();

    public void Add(string silo) => _silos.Enqueue(silo);

    public string? Last => _silos.LastOrDefault();

    public IIncomingGrainCallFilter Filter(string silo) => new RecordingFilter(this, silo);

    private sealed class RecordingFilter(SiloRecorder<T> recorder, string silo) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(T)) recorder.Add(silo);
            return context.Invoke();
        }
    }
}
