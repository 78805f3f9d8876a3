using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansDedup.Abstractions.Images;
using OrleansDedup.Host.Api;
using OrleansDedup.ImageFormats;

namespace OrleansDedup.Host.Tests;

/// <summary>What escapes an endpoint becomes a ProblemDetails with the right status and one line, never a stack trace.</summary>
public sealed class ApiExceptionHandlerTests
{
    [Theory]
    [InlineData(IngestErrorKind.BadInput, 400)]
    [InlineData(IngestErrorKind.Conflict, 409)]
    [InlineData(IngestErrorKind.Internal, 500)]
    public async Task Ingest_errors_map_by_kind(IngestErrorKind kind, int status)
    {
        var (code, detail) = await Handle(new IngestException(kind, "first line\nsecond line"));
        Assert.Equal(status, code);
        Assert.Equal("first line second line", detail);
    }

    [Fact]
    public async Task A_disk_larger_than_a_format_holds_is_422_with_its_line()
    {
        var (code, detail) = await Handle(new FormatLimitException("a VHD holds at most 2040 GiB; this disk is 100 TiB"));
        Assert.Equal(422, code);
        Assert.Equal("a VHD holds at most 2040 GiB; this disk is 100 TiB", detail);
    }

    [Fact]
    public async Task Anything_else_is_500_without_its_message_or_stack()
    {
        var (code, detail) = await Handle(new InvalidOperationException("secret internals at /srv/x"));
        Assert.Equal(500, code);
        Assert.DoesNotContain("secret", detail);
        Assert.Contains("see the silo log", detail);
    }

    private static async Task<(int Status, string Detail)> Handle(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = new MemoryStream();
        var handler = new ApiExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ApiExceptionHandler>.Instance);
        Assert.True(await handler.TryHandleAsync(http, exception, CancellationToken.None));
        http.Response.Body.Position = 0;
        var problem = JsonDocument.Parse(http.Response.Body).RootElement;
        Assert.False(problem.TryGetProperty("exception", out _));
        return (http.Response.StatusCode, problem.GetProperty("detail").GetString()!);
    }
}
