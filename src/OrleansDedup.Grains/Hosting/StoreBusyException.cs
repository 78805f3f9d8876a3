namespace OrleansDedup.Grains.Hosting;

/// <summary>Another process holds the store's lock (<see cref="StoreLock"/>).</summary>
public sealed class StoreBusyException(string message, Exception inner) : IOException(message, inner);
