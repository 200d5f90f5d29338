using System.Diagnostics.Metrics;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Routing;

/// <summary>The router's instruments that only a bound moves: read through a real <see cref="MeterListener"/>.</summary>
public sealed class IncidentRouterMeterTests
{
    [Fact]
    public async Task Meter_BeyondMaxTracked_EvictedCountedOnTheRoutersMeter()
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { MaxTrackedIncidents = 2 });
        await f.OnDutyAsync();

        for (int i = 0; i < 5; i++)
        {
            await f.Router.RouteAsync(f.Incident($"inc-{i}"));
        }

        Assert.Equal(3, f.Router.Evicted);
        // The meter of this router: routers of parallel tests report on meters of the same name, so the listener
        // takes the largest value, which is at least this router's.
        Assert.True(Observed("edgesentry.routing.evicted") >= 3);
    }

    private static long Observed(string name)
    {
        long largest = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IncidentRouter.MeterName && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => largest = Math.Max(largest, value));
        listener.Start();
        listener.RecordObservableInstruments();
        return largest;
    }
}
