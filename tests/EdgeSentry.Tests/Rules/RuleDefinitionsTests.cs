using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeSentry.Rules;

namespace EdgeSentry.Tests.Rules;

public class RuleDefinitionsTests
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static List<string> Validate(CameraRulesDefinition d)
    {
        var errors = new List<string>();
        d.Validate("cameras[1]", RuleScenario.Labels, errors);
        return errors;
    }

    private static CameraRulesDefinition Valid() => new()
    {
        Zones = [new ZoneDefinition { Id = "yard", Polygon = RuleScenario.Square(0.1, 0.1, 0.9, 0.9) }],
        Lines = [new LineDefinition { Id = "gate", From = [0.2, 0.5], To = [0.8, 0.5], Direction = [0, 1] }],
        Rules = [new RuleDefinition { Id = "night", Kind = "intrusion", Zone = "yard", Classes = ["person"] }],
    };

    [Fact]
    public void Validate_ValidCamera_HasNoErrors() => Assert.Empty(Validate(Valid()));

    [Fact]
    public void Validate_PointOutsideUnitSquare_NamesThePoint()
    {
        var d = Valid();
        d.Zones[0].Polygon[2] = [1.3, 0.5];

        Assert.Contains("cameras[1].zones[0].polygon: point 2 (1.3, 0.5) is outside [0,1]", Validate(d));
    }

    [Fact]
    public void Validate_TwoPointZone_AsksForThree()
    {
        var d = Valid();
        d.Zones[0].Polygon = [[0.1, 0.1], [0.5, 0.5]];

        Assert.Contains("cameras[1].zones[0].polygon: has 2 point(s); a zone needs >= 3 points", Validate(d));
    }

    [Fact]
    public void Validate_BowtieZone_IsSelfIntersecting()
    {
        var d = Valid();
        d.Zones[0].Polygon = [[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1]];

        Assert.Contains(Validate(d), e => e.StartsWith("cameras[1].zones[0].polygon: is self-intersecting", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOneWithItsPath()
    {
        var d = Valid();
        d.Zones.Add(new ZoneDefinition { Id = "yard", Polygon = RuleScenario.Square(0.2, 0.2, 0.3, 0.3) });
        d.Masks.Add(new ZoneDefinition { Id = "tree", Polygon = [[0.1, 0.1], [0.2, 0.1]] });
        d.Rules.Add(new RuleDefinition { Id = "night", Kind = "teleport", Zone = "pool", Classes = ["unicorn"], Severity = 4 });
        d.Rules.Add(new RuleDefinition { Id = "linger", Kind = "loitering", Zone = "yard", HoldSeconds = -1, Line = "gate" });
        d.Rules.Add(new RuleDefinition { Id = "count", Kind = "line-crossing", Line = "fence", MinScores = new() { ["person"] = 1.5 } });
        d.Rules.Add(new RuleDefinition { Id = "crowd", Kind = "crowd", DwellSeconds = 3 });
        d.Rules.Add(new RuleDefinition
        {
            Id = "school", Kind = "intrusion",
            Schedule = new ScheduleDefinition { Days = ["mon", "funday"], Windows = ["07:00-09:00", "25:00-26:00"], TimeZone = "Mars/Olympus" },
        });

        var errors = Validate(d);

        string[] expected =
        [
            "cameras[1].zones[1].id: duplicate zone id 'yard'",
            "cameras[1].masks[0].polygon: has 2 point(s); a zone needs >= 3 points",
            "cameras[1].rules[1].kind: 'teleport' is not a rule kind (use intrusion, loitering, crowd, parking, wrong-way, line-crossing)",
            "cameras[1].rules[1].zone: 'pool' is not a zone of this camera (zones: yard, yard)",
            "cameras[1].rules[1].classes[0]: 'unicorn' is not a label of the model",
            "cameras[1].rules[1].severity: 4 is outside 1..3",
            "cameras[1].rules[1].id: duplicate rule id 'night'",
            "cameras[1].rules[2].dwellSeconds: is required for loitering",
            "cameras[1].rules[2].holdSeconds: -1 is outside [0, 3600]",
            "cameras[1].rules[2].line: only line-crossing rules use a line",
            "cameras[1].rules[3].line: 'fence' is not a line of this camera (lines: gate)",
            "cameras[1].rules[3].minScores.person: 1.5 is outside [0, 1]",
            "cameras[1].rules[4].minCount: is required for crowd",
            "cameras[1].rules[5].schedule.days[1]: 'funday' is not a day (use mon, tue, wed, thu, fri, sat, sun)",
            "cameras[1].rules[5].schedule.windows[1]: '25:00-26:00' is not a time window HH:mm-HH:mm (e.g. \"07:00-09:00\", \"22:00-06:00\")",
        ];
        foreach (string e in expected)
        {
            Assert.Contains(e, errors);
        }

        Assert.Contains(errors, e => e.StartsWith("cameras[1].rules[5].schedule.timeZone: 'Mars/Olympus' is not a known time zone", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WrongWayWithoutDirection_AsksForOne()
    {
        var d = Valid();
        d.Rules.Add(new RuleDefinition { Id = "ww", Kind = "wrong-way", Zone = "yard" });

        Assert.Contains("cameras[1].rules[1].direction: wrong-way needs an allowed direction [dx, dy] here or on its zone", Validate(d));
    }

    [Fact]
    public void Validate_LineDirectionAlongTheLine_IsRejected()
    {
        var d = Valid();
        d.Lines[0].Direction = [1, 0];

        Assert.Contains("cameras[1].lines[0].direction: runs along the line; give the direction in which objects cross it", Validate(d));
    }

    [Fact]
    public void Deserialize_UnknownKey_IsRejected()
    {
        const string json = """{"zones":[{"id":"a","polygon":[[0,0],[1,0],[1,1]],"colour":"red"}],"lines":[],"masks":[],"rules":[]}""";

        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CameraRulesDefinition>(json, Json));
        Assert.Contains("colour", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NullsFromJson_AreReportedNotThrown()
    {
        const string json = """
            {"zones":null,"lines":[null],"masks":[],"rules":[{"id":null,"kind":"intrusion","zone":"x","classes":null,
             "schedule":{"days":null,"windows":null}}, {"id":"p","kind":"loitering","dwellSeconds":1,"minSize":[0.1]}],
             "tracker":{"lowScore":0.9,"highScore":0.5}}
            """;
        var d = JsonSerializer.Deserialize<CameraRulesDefinition>(json, Json)!;

        var errors = Validate(d);

        string[] expected =
        [
            "cameras[1].zones: must be a list (use [] for none)",
            "cameras[1].lines[0]: is null",
            "cameras[1].rules[0].id: is required",
            "cameras[1].rules[0].zone: 'x' is not a zone of this camera (zones: none)",
            "cameras[1].rules[0].classes: must be a list (use [] for every class)",
            "cameras[1].rules[0].schedule.days: must be a list (use [] for every day)",
            "cameras[1].rules[0].schedule.windows: must be a list (use [] for all day)",
            "cameras[1].rules[1].minSize: must be [width, height] as fractions of the frame, each in [0,1]",
            "cameras[1].tracker.lowScore: 0.9 is above highScore 0.5",
        ];
        Assert.Equal(expected.Order(), errors.Order());
    }

    [Fact]
    public void Deserialize_ExampleConfiguration_IsValid()
    {
        var d = JsonSerializer.Deserialize<CameraRulesDefinition>(ExampleConfiguration.Json, Json)!;

        Assert.Empty(Validate(d));
        Assert.Equal(6, d.Rules.Select(r => r.Kind).Distinct().Count());
    }
}
