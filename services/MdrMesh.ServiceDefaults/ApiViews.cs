namespace MdrMesh.ServiceDefaults;

/// <summary>The answer of every <c>*/count</c> method.</summary>
public sealed record CountView(long Count);
