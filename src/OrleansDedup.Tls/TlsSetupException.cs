namespace OrleansDedup.Tls;

/// <summary>Certificate files a node cannot use (missing, unreadable, mismatched, not from the cluster's CA); the
/// message is one line naming the file and the problem.</summary>
public sealed class TlsSetupException(string message) : Exception(message);
