using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using MdrMesh.Incidents.Attaching;
using MdrMesh.Incidents.ChangingStatus;
using MdrMesh.Incidents.ClosingIncident;
using MdrMesh.Incidents.Commenting;
using MdrMesh.Incidents.DrivingStalledResponses;
using MdrMesh.Incidents.GettingHistory;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.Incidents.OpeningIncident;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.Incidents.RecordingResponseProgress;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.ServiceDefaults;
using Weasel.Core;
using Weasel.Postgresql;

namespace MdrMesh.Incidents;

public static class Extensions
{
    public static void AddIncidents(this WebApplicationBuilder builder)
    {
        builder.AddMdrApi("incidents");
        builder.AddMdrMassTransit(bus => bus.AddConsumer<ResponseProgressConsumer>(typeof(ResponseProgressDefinition)));
        builder.AddMdrMarten<IncidentMessages>(IncidentStore.Schema, options =>
        {
            options.Events.StreamIdentity = StreamIdentity.AsGuid;
            // Stored under the names they had before they took the design card's (the same fields): still read.
            options.Events.ReadFormerName<ResponseProposed>("response_added");
            options.Events.ReadFormerName<ResponseAccepted>("response_confirmed");
            options.Events.ReadFormerName<ResponseRejected>("response_declined");
            options.Events.ReadFormerName<ResponseExecutionStarted>("response_execution_began");
            options.Events.ReadFormerName<ResponseExecuted>("response_completed");
            options.Events.ReadFormerName<ResponseFailed>("response_execution_failed");
            options.Events.ReadFormerName<ResponseUndone>("response_was_undone");
            // No projection: IncidentStore evolves each incident as it decides and stores the document with its events.
            // incidents/list and count filter, sort and page in PostgreSQL: plain fields as indexed
            // columns, the lists inside the document behind GIN indexes for containment (see IncidentIndex).
            // The key is (tenant, id); callers of every tenant find an incident by id alone, hence its own index.
            // Numeric revisions, as the inline snapshot the document was before: an existing store keeps its mt_version column (bigint).
            options.Schema.For<Incident>().UseNumericRevisions(true).Index(i => i.Id)
                .Duplicate(i => i.Status).Duplicate(i => i.Priority).Duplicate(i => i.Resolution!)
                .Duplicate(i => i.CreatedAt).Duplicate(i => i.UpdatedAt).Duplicate(i => i.Number).Duplicate(i => i.DetectionTechnology!)
                .GinIndexJsonDataMember(i => i.AssetIds).GinIndexJsonDataMember(i => i.AffectedHosts)
                .GinIndexJsonDataMember(i => i.MitreTactics).GinIndexJsonDataMember(i => i.MitreTechniques);
            options.Policies.ForAllDocuments(mapping =>
            {
                if (mapping.DocumentType == typeof(Incident)) IncidentIndex.AddTo(mapping);
            });
            options.Storage.ExtendedSchemaObjects.Add(new Sequence($"{IncidentStore.Schema}.incident_numbers"));
            options.Storage.ExtendedSchemaObjects.Add(AttachmentBlobs.Definition(IncidentStore.Schema));
        });
        // After Marten's own start, which creates the table.
        builder.Services.AddHostedService<IncidentTable>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.Configure<AttachmentOptions>(builder.Configuration.GetSection("Attachments"));
        builder.Services.Configure<StallOptions>(builder.Configuration.GetSection("StalledResponses"));
        builder.Services.AddHostedService<StalledResponses>();
        // Read now, so a service without its password key refuses to start rather than fail at the first isolation.
        builder.Services.AddSingleton(PasswordVault.FromConfiguration(builder.Configuration));
    }

    public static void MapIncidents(this WebApplication app)
    {
        app.UseMdrInternalApi();
        var api = app.MapMethodsWithConflicts<IncidentConflict>();
        api.MapMethod("incidents/create", OpenIncident.Handle).Produces<IncidentView>();
        api.MapMethod("incidents/details", QueryIncidents.Details).Produces<IncidentView>();
        api.MapMethod("incidents/list", QueryIncidents.List).Produces<List<IncidentView>>();
        api.MapMethod("incidents/count", QueryIncidents.Count).Produces<CountView>();
        api.MapMethod("incidents/update", ChangeStatus.Handle).Produces<IncidentView>();
        api.MapMethod("incidents/close", CloseIncident.Handle).Produces<IncidentView>();
        api.MapMethod("incidents/history", GetHistory.Handle).Produces<List<GettingHistory.HistoryRecordView>>();
        api.MapMethod("responses/list", QueryIncidents.Responses).Produces<List<ResponseView>>();
        api.MapMethod("responses/create", ProposeResponse.Handle).Produces<ResponseView>();
        api.MapMethod("comments/create", Comments.Create).Produces<CommentView>();
        api.MapMethod("comments/list", Comments.List).Produces<List<CommentView>>();
        api.MapMethod("comments/delete", Comments.Remove).Produces<Commenting.CommentDeletedView>();
        // The one method whose body is larger than JSON calls: a file up to Attachments:MaxBytes, plus the multipart framing.
        var uploadLimit = app.Configuration.GetValue("Attachments:MaxBytes", new AttachmentOptions().MaxBytes) + MdrMesh.ServiceDefaults.Extensions.MaxRequestBodyBytes;
        api.MapMethod("attachments/upload", Attachments.Upload).Produces<AttachmentView>()
            .Accepts<Attaching.AttachmentUploadForm>("multipart/form-data").WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(uploadLimit))
            .DisableAntiforgery();
        api.MapMethod("attachments/list", Attachments.List).Produces<List<AttachmentView>>();
        api.MapMethod("attachments/download", Attachments.Download).Produces<Stream>(contentType: "application/octet-stream");
        app.RequireMethodsOf(ApiMethods.Incidents);
    }
}
