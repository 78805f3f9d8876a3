namespace OrleansDedup.Abstractions.Images;

public enum IngestState { Idle, Running, Succeeded, Failed, Cancelled }
