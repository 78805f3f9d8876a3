namespace OrleansDedup.Tls;

/// <summary>What a node's certificate must be good for: a silo accepts connections (server authentication) and opens
/// them to other silos (client authentication); a client only opens them.</summary>
public enum NodeRole
{
    Silo,
    Client,
}
