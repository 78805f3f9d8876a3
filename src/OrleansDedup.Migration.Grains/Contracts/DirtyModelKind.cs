namespace OrleansDedup.Migration.Grains.Contracts;

public enum DirtyModelKind { None, Constant, WritableWorkingSet }
