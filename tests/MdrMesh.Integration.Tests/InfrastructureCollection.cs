namespace MdrMesh.Integration.Tests;

/// <summary>One PostgreSQL and one RabbitMQ for every test class of this assembly.</summary>
[CollectionDefinition(Name)]
public sealed class InfrastructureCollection : ICollectionFixture<Infrastructure>
{
    public const string Name = "infrastructure";
}
