namespace OrleansDedup.Storage.Journal;

/// <summary>Receives one journal record during replay; the span is valid only for the duration of the call.</summary>
public delegate void RecordVisitor(ReadOnlySpan<byte> record);
