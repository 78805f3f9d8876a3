namespace OrleansDedup.Abstractions.Calls;

/// <summary>Calling the method twice has the effect of calling it once, so a call whose silo left the cluster before it
/// answered (a graceful stop, a grain moving) may simply be sent again to the grain's next activation.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute;
