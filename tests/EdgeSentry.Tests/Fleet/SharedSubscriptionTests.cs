using System.Globalization;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Fleet;

/// <summary>
/// Issue 14, acceptance 2: 20 edges (each its own outbox database, real outbox, sender and MQTT code, distinct
/// edge ids) connected straight to the centre broker of deploy/mosquitto (TLS, one account each, the ACL as
/// provisioned), and 3 centre consumers in one shared-subscription group. Every edge has the same camera ids and
/// ten edges share a grid cell: alerts stay apart by the edge id in their topic (alerts/{gridId}/{edgeId}/{cameraId}),
/// and a plain subscriber can select one edge's alerts (alerts/+/{edgeId}/#).
/// </summary>
public sealed class SharedSubscriptionTests(ITestOutputHelper output)
{
    private const int Edges = 20;
    private const int IncidentsPerEdge = 5;
    private const string ShareFilter = "$share/centre/edgesentry/v1/alerts/#";
    private const string WatchedEdge = "edge-07";

    [Fact]
    public async Task SharedGroup_TwentyEdgesThreeConsumers_EachTransitionReachesExactlyOneConsumer()
    {
        string[] edgeIds = [.. Enumerable.Range(1, Edges).Select(i => "edge-" + i.ToString("D2", CultureInfo.InvariantCulture))];
        await using var brokers = FleetBrokers.Create(edgeIds);
        await brokers.StartCentreAsync();
        var cap = new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token;

        var tally = new AlertTally();
        var watched = new AlertTally();
        var consumers = new List<CentreConsumer>();
        var edges = new List<EdgeAlertLine>();
        try
        {
            foreach (string name in new[] { "consumer-a", "consumer-b", "consumer-c" })
            {
                consumers.Add(await CentreConsumer.StartAsync(name, brokers.ConsumerOptions("centre-" + name), ShareFilter, tally, cap));
            }

            // Not in the group: one edge's alerts, by the edge level of the topic.
            await using var watcher = await CentreConsumer.StartAsync("watcher", brokers.ConsumerOptions("centre-watcher"), $"edgesentry/v1/alerts/+/{WatchedEdge}/#", watched, cap);

            edges.AddRange(await Task.WhenAll(edgeIds.Select(id => EdgeAlertLine.StartAsync(
                id,
                [new AlertCamera("cam-1", "Gate", GridOf(id)), new AlertCamera("cam-2", "Yard", GridOf(id))],
                brokers.DirectEdgeOptions(id),
                cap))));

            // All edges at once, each interleaving its incidents on two cameras: started, updated, ended.
            IReadOnlyList<string>[] sent = await Task.WhenAll(edges.Select(edge => RunIncidentsAsync(edge, cap)));
            var expected = sent.SelectMany(s => s).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(Edges * IncidentsPerEdge * 3, expected.Count);

            await tally.WaitForAllAsync(expected, cap);

            IReadOnlyList<ReceivedAlert> arrivals = tally.Snapshot();
            Assert.All(arrivals, a => Assert.Contains(a.MessageId, expected));
            var consumersPerMessage = arrivals.GroupBy(a => a.MessageId).Select(g => (Id: g.Key, Consumers: g.Select(a => a.Consumer).Distinct().Count())).ToList();
            Assert.All(consumersPerMessage, m => Assert.True(m.Consumers == 1, $"{m.Id} reached {m.Consumers} consumers of the group"));
            IReadOnlyList<ReceivedAlert> unique = tally.Deduplicated();
            Assert.Equal(expected.Count, unique.Count);
            Assert.Equal(Edges, unique.Select(a => a.EdgeId).Distinct().Count());

            // Per edge: same camera ids everywhere, shared cells, yet one topic per camera of each edge.
            Assert.All(arrivals, a => Assert.Equal(AlertTopics.Alerts(GridOf(a.EdgeId), a.EdgeId, a.CameraId), a.Topic));
            Assert.Equal(["cam-1", "cam-2"], unique.Select(a => a.CameraId).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(2, unique.Select(a => a.GridId).Distinct().Count());
            Assert.Equal(Edges * 2, unique.Select(a => a.Topic).Distinct().Count());
            IReadOnlyList<string> watchedIds = sent[Array.IndexOf(edgeIds, WatchedEdge)];
            await watched.WaitForAllAsync(watchedIds, cap);
            Assert.All(watched.Snapshot(), a => Assert.Equal(WatchedEdge, a.EdgeId));
            Assert.Equal(watchedIds.Order(StringComparer.Ordinal), watched.Deduplicated().Select(a => a.MessageId).Order(StringComparer.Ordinal));
            Assert.All(edges, e => Assert.Equal(0, e.Outbox.SetAside));

            var distribution = consumers.Select(c => (c.Name, Count: unique.Count(a => a.Consumer == c.Name))).ToList();
            // The group balances the load: a consumer that got nothing would mean it was not in the group.
            Assert.All(distribution, d => Assert.True(d.Count > 0, $"{d.Name} received nothing"));
            output.WriteLine($"{Edges} edges x {IncidentsPerEdge} incidents x 3 transitions = {expected.Count} alerts; arrivals {arrivals.Count}, duplicates before dedupe {arrivals.Count - unique.Count}");
            output.WriteLine("distribution: " + string.Join(", ", distribution.Select(d => $"{d.Name} {d.Count}")));
        }
        finally
        {
            foreach (EdgeAlertLine edge in edges)
            {
                await edge.DisposeAsync();
            }

            foreach (CentreConsumer consumer in consumers)
            {
                await consumer.DisposeAsync();
            }
        }
    }

    /// <summary>edge-01 to edge-10 in one cell, edge-11 to edge-20 in the next.</summary>
    private static string GridOf(string edgeId) =>
        int.Parse(edgeId["edge-".Length..], CultureInfo.InvariantCulture) <= Edges / 2 ? "grid-a1" : "grid-a2";

    private static async Task<IReadOnlyList<string>> RunIncidentsAsync(EdgeAlertLine edge, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        for (int i = 0; i < IncidentsPerEdge; i++)
        {
            string incident = $"{edge.EdgeId}-inc-{i}";
            string camera = i % 2 == 0 ? "cam-1" : "cam-2";
            ids.Add((await edge.DispatchAsync(EdgeAlertLine.Transition(incident, camera, 1, IncidentTransition.Started), cancellationToken)).MessageId);
            ids.Add((await edge.DispatchAsync(EdgeAlertLine.Transition(incident, camera, 2, IncidentTransition.Updated), cancellationToken)).MessageId);
            ids.Add((await edge.DispatchAsync(EdgeAlertLine.Transition(incident, camera, 3, IncidentTransition.Ended), cancellationToken)).MessageId);
        }

        return ids;
    }
}
