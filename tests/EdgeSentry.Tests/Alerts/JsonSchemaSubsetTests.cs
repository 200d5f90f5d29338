using System.Text;

namespace EdgeSentry.Tests.Alerts;

public class JsonSchemaSubsetTests
{
    private static readonly JsonSchemaSubset Status = JsonSchemaSubset.Load("edge-status.v1.schema.json");

    [Fact]
    public void Validate_ValidStatus_NoErrors()
    {
        Assert.Empty(Status.Validate(Json("""{"schema":"edgesentry/v1/edge-status","version":1,"edgeId":"e1","state":"online","at":"2026-11-23T08:00:00.000Z"}""")));
    }

    [Theory]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":1,"edgeId":"e1","state":"sleeping"}""", "$.state")]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":2,"edgeId":"e1","state":"online"}""", "$.version")]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":1,"state":"online"}""", "missing required 'edgeId'")]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":1,"edgeId":"e/1","state":"online"}""", "$.edgeId")]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":1,"edgeId":"e1","state":"online","extra":1}""", "unexpected property 'extra'")]
    [InlineData("""{"schema":"edgesentry/v1/edge-status","version":1,"edgeId":"e1","state":"online","at":"yesterday"}""", "$.at")]
    public void Validate_BrokenStatus_ReportsTheProblem(string json, string expected)
    {
        List<string> errors = Status.Validate(Json(json));

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}
