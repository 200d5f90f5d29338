using EdgeSentry.Diagnostics;

namespace EdgeSentry.Tests.Diagnostics;

public class EdgeHealthTests
{
    [Fact]
    public void Current_NothingReported_IsOkWithoutReasons()
    {
        var health = new EdgeHealth();

        Assert.Equal(HealthStatus.Ok, health.Current.Status);
        Assert.Empty(health.Current.Reasons);
    }

    [Fact]
    public void Report_MixedConditions_WorstWinsAndEveryProblemIsListed()
    {
        var health = new EdgeHealth();

        health.Report("broker", HealthStatus.Degraded, "not connected to 127.0.0.1:1883");
        health.Report("camera/gate-01", HealthStatus.Ok, "ignored while ok");
        health.Report("detector", HealthStatus.Failing, "detector not loaded");
        health.Report("camera/yard-01", HealthStatus.Degraded, "reconnecting: connection refused");

        Assert.Equal(HealthStatus.Failing, health.Current.Status);
        Assert.Equal(
            ["broker: not connected to 127.0.0.1:1883", "camera/yard-01: reconnecting: connection refused", "detector: detector not loaded"],
            health.Current.Reasons);
    }

    [Fact]
    public void Report_ProblemClears_StatusReturnsToBetterOne()
    {
        var health = new EdgeHealth();
        health.Report("detector", HealthStatus.Failing, "hung");
        health.Report("camera/a", HealthStatus.Degraded, "offline");

        health.Report("detector", HealthStatus.Ok);
        Assert.Equal(HealthStatus.Degraded, health.Current.Status);

        health.Remove("camera/a");
        Assert.Equal(EdgeHealthReport.Healthy, health.Current);
    }

    [Fact]
    public void Changed_SameConditionReportedAgain_IsRaisedOnlyForRealChanges()
    {
        var health = new EdgeHealth();
        var seen = new List<EdgeHealthReport>();
        health.Changed += seen.Add;

        health.Report("broker", HealthStatus.Degraded, "away");
        health.Report("broker", HealthStatus.Degraded, "away");
        health.Report("camera/a", HealthStatus.Ok);
        health.Report("broker", HealthStatus.Degraded, "still away");
        health.Report("broker", HealthStatus.Ok, "back");

        Assert.Equal(3, seen.Count);
        Assert.Equal(["broker: away"], seen[0].Reasons);
        Assert.Equal(["broker: still away"], seen[1].Reasons);
        Assert.Equal(HealthStatus.Ok, seen[2].Status);
    }

    [Fact]
    public void RemoveOthers_CameraRemovedByReload_ItsConditionGoes()
    {
        var health = new EdgeHealth();
        health.Report("camera/a", HealthStatus.Degraded, "offline");
        health.Report("camera/b", HealthStatus.Degraded, "offline");
        health.Report("broker", HealthStatus.Degraded, "away");

        health.RemoveOthers("camera/", new HashSet<string> { "camera/b" });

        Assert.Equal(["broker: away", "camera/b: offline"], health.Current.Reasons);
    }
}
