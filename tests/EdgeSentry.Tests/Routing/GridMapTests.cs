using System.Text;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Routing;

public sealed class GridMapTests
{
    private static GridMap Map(double neighbourMetres = 0) =>
        GridMap.Parse(Encoding.UTF8.GetBytes(RoutingFixture.GeoJson()), "test.geojson", neighbourMetres);

    [Fact]
    public void CellAt_PointInsideCell_ReturnsThatCell()
    {
        GridMap map = Map();

        Assert.Equal("cell-a", map.CellAt(RoutingFixture.Camera)!.Id);
        Assert.Equal("cell-c", map.CellAt(new GeoPoint(31.201, 121.429))!.Id);
        Assert.Null(map.CellAt(new GeoPoint(31.30, 121.405)));
    }

    [Fact]
    public void Parse_Properties_ReadNameCommunityStreet()
    {
        Assert.True(Map().TryGetCell("cell-b", out GridCell cell));

        Assert.Equal(("Market B", "c-1", "street-east"), (cell.Name, cell.Community, cell.Street));
    }

    [Fact]
    public void Neighbours_SharedEdge_AreNeighboursButNotAcrossACell()
    {
        GridMap map = Map();

        Assert.Equal(["cell-b"], map.Neighbours("cell-a"));
        Assert.Equal(["cell-a", "cell-c"], map.Neighbours("cell-b").Order(StringComparer.Ordinal));
        Assert.Empty(map.Neighbours("cell-far"));
    }

    [Fact]
    public void Neighbours_GapSmallerThanConfiguredDistance_CountsAsNeighbour()
    {
        // cell-gap starts 0.0005° (about 47.6 m at 31.2°N) east of cell-c.
        Assert.DoesNotContain("cell-gap", Map(40).Neighbours("cell-c"));
        Assert.Contains("cell-gap", Map(50).Neighbours("cell-c"));
        Assert.DoesNotContain("cell-gap", Map().Neighbours("cell-c"));
    }

    [Fact]
    public void Contains_PointInHole_IsOutside()
    {
        const string json = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"ring"},
             "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]]}}]}
            """;
        GridMap map = GridMap.Parse(Encoding.UTF8.GetBytes(json), "ring.geojson");

        Assert.NotNull(map.CellAt(new GeoPoint(2, 2)));
        Assert.Null(map.CellAt(new GeoPoint(5, 5)));
    }

    [Fact]
    public void Parse_InvalidFeatures_ReportsEveryErrorWithItsPath()
    {
        const string json = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"name":"no id"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
              {"type":"Feature","properties":{"id":"open"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}},
              {"type":"Feature","properties":{"id":"pt"},"geometry":{"type":"Point","coordinates":[0,0]}},
              {"type":"Feature","properties":{"id":"bad/street","street":"a#b"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"x"],[0,0]]]}},
              {"type":"Feature","properties":{"id":"lat"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,95],[1,1],[0,0]]]}}
            ]}
            """;

        var e = Assert.Throws<GridMapException>(() => GridMap.Parse(Encoding.UTF8.GetBytes(json), "bad.geojson"));

        Assert.Contains("$.features[0].properties.id: missing", e.Errors);
        Assert.Contains(e.Errors, m => m.StartsWith("$.features[1].geometry.coordinates[0]: the ring is not closed", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("$.features[2].geometry.type", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("$.features[3].properties.id", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("$.features[3].properties.street", StringComparison.Ordinal));
        Assert.Contains("$.features[3].geometry.coordinates[0][2]: expected [lon, lat]", e.Errors);
        Assert.Contains(e.Errors, m => m.StartsWith("$.features[4].geometry.coordinates[0][1]: [1, 95] is outside", StringComparison.Ordinal));
        Assert.StartsWith("bad.geojson: 7 error(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateId_Rejected()
    {
        string json = $$"""{"type":"FeatureCollection","features":[{{RoutingFixture.Cell("x", "X", null, 0, 1)}},{{RoutingFixture.Cell("x", "X", null, 1, 2)}}]}""";

        var e = Assert.Throws<GridMapException>(() => GridMap.Parse(Encoding.UTF8.GetBytes(json), "dup.geojson"));

        Assert.Equal(["$.features[1].properties.id: 'x' appears twice"], e.Errors);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var e = Assert.Throws<GridMapException>(() => GridMap.Load("/nonexistent/grid.geojson"));

        Assert.Contains("/nonexistent/grid.geojson", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_ConfiguredGridIdWinsOverPosition()
    {
        GridMap map = Map();

        Assert.Equal("cell-c", map.Locate("cam", "cell-c", RoutingFixture.Camera).Id);
        Assert.Equal("cell-a", map.Locate("cam", null, RoutingFixture.Camera).Id);
        Assert.Contains("cam-x", Assert.Throws<ArgumentException>(() => map.Locate("cam-x", "cell-zz", null)).Message, StringComparison.Ordinal);
        Assert.Contains("lies in no grid cell", Assert.Throws<ArgumentException>(() => map.Locate("cam-y", null, new GeoPoint(0, 0))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DistanceMetres_OneDegreeOfLatitude_IsAbout111Kilometres()
    {
        Assert.Equal(111_195, new GeoPoint(0, 0).DistanceMetres(new GeoPoint(1, 0)), 0);
        Assert.Equal(0, RoutingFixture.Camera.DistanceMetres(RoutingFixture.Camera));
        // Beijing to Shanghai, about 1,067 km along the great circle.
        Assert.InRange(new GeoPoint(39.9042, 116.4074).DistanceMetres(new GeoPoint(31.2304, 121.4737)), 1_060_000, 1_075_000);
    }
}
