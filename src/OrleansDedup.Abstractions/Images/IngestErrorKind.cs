namespace OrleansDedup.Abstractions.Images;

/// <summary>Why an ingest failed, so that a client can map it to an exit code without parsing text. Interrupted: the
/// catalog database or the whole grid was out of reach; nothing was kept. SiloLost: a silo the ingest depended on left
/// the cluster (stopped or died) while the rest of the grid answers, so a client may start the same ingest again at once.</summary>
public enum IngestErrorKind { None, BadInput, Conflict, Internal, Interrupted, SiloLost }
