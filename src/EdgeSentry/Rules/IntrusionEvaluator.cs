namespace EdgeSentry.Rules;

/// <summary>Intrusion: any eligible confirmed track in the zone; the incident carries the most confident one.</summary>
internal sealed class IntrusionEvaluator : SingleKeyEvaluator
{
    public IntrusionEvaluator(CompiledRule rule, CameraRuleContext camera)
        : base(rule, camera, heartbeats: true)
    {
    }

    public override void Evaluate(in RuleFrame frame, bool armed)
    {
        var tracks = frame.Tracks;
        int count = 0, best = -1;
        for (int slot = 0; armed && slot < tracks.Length; slot++)
        {
            if (Rule.Accepts(tracks[slot], slot, frame.Geometry))
            {
                count++;
                if (best < 0 || tracks[slot].Score > tracks[best].Score)
                {
                    best = slot;
                }
            }
        }

        if (best >= 0)
        {
            ref readonly var track = ref tracks[best];
            State.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
            State.Count = count;
        }

        Lifecycle.Advance(State, count > 0, double.NaN, Rule.Severity, false, frame);
    }
}
