namespace OrleansDedup.Grains.Hosting;

/// <summary>The store directory holds a store this build cannot use as asked: another version, or other settings.</summary>
public sealed class StoreFormatException(string message) : IOException(message);
