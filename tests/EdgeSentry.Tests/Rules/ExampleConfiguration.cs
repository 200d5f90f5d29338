namespace EdgeSentry.Tests.Rules;

/// <summary>One camera's rules with a rule of every kind: the shape the service's configuration carries per camera.</summary>
public static class ExampleConfiguration
{
    public const string Json = """
    {
      "zones": [
        { "id": "gate", "name": "School gate", "polygon": [[0.30, 0.55], [0.70, 0.55], [0.75, 0.95], [0.25, 0.95]] },
        { "id": "yard", "name": "School yard", "polygon": [[0.05, 0.20], [0.45, 0.20], [0.45, 0.50], [0.05, 0.50]] },
        { "id": "lane", "name": "Bus lane", "polygon": [[0.50, 0.20], [0.95, 0.20], [0.95, 0.50], [0.50, 0.50]], "direction": [1, 0] }
      ],
      "lines": [
        { "id": "entry", "name": "Gate line", "from": [0.30, 0.75], "to": [0.70, 0.75], "direction": [0, -1] }
      ],
      "masks": [
        { "id": "billboard", "polygon": [[0.80, 0.00], [1.00, 0.00], [1.00, 0.15], [0.80, 0.15]] }
      ],
      "rules": [
        { "id": "yard-night", "kind": "intrusion", "zone": "yard", "classes": ["person"], "severity": 2,
          "minScore": 0.4, "minSize": [0.01, 0.03], "holdSeconds": 3, "cooldownSeconds": 60,
          "schedule": { "days": [], "windows": ["22:00-06:00"], "timeZone": "Asia/Shanghai" } },
        { "id": "gate-loiter", "kind": "loitering", "zone": "gate", "classes": ["person"], "dwellSeconds": 8,
          "holdSeconds": 2, "updateSeconds": 30, "severity": 1,
          "schedule": { "days": ["mon", "tue", "wed", "thu", "fri"], "windows": ["07:00-09:00", "15:30-17:30"], "timeZone": "Asia/Shanghai" } },
        { "id": "gate-crowd", "kind": "crowd", "zone": "gate", "classes": ["person"], "minCount": 10, "dwellSeconds": 3,
          "severity": 1, "severityCounts": [20, 30], "minScores": { "person": 0.35 } },
        { "id": "lane-parking", "kind": "parking", "zone": "lane", "classes": ["car", "truck", "bus"], "dwellSeconds": 60,
          "radius": 0.03, "holdSeconds": 10, "severity": 2, "maxSize": [0.6, 0.6] },
        { "id": "lane-wrong-way", "kind": "wrong-way", "zone": "lane", "classes": ["car", "motorcycle", "bicycle"],
          "minDistance": 0.15, "severity": 3 },
        { "id": "entry-count", "kind": "line-crossing", "line": "entry", "classes": ["person", "bicycle"],
          "holdSeconds": 30, "severity": 1 }
      ],
      "tracker": { "highScore": 0.5, "lowScore": 0.1, "newTrackScore": 0.6, "matchIou": 0.2, "minHits": 3, "lostSeconds": 1.5, "maxTracks": 128 }
    }
    """;
}
