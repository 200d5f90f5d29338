using System.Text.Json;
using EdgeSentry.Benchmarking;

namespace EdgeSentry.Planning;

/// <summary>Reads the inference costs (one per model and layout) out of a <c>bench</c> report.json.</summary>
public static class BenchCosts
{
    /// <summary><paramref name="path"/> is a report.json or the bench output folder holding one.</summary>
    public static IReadOnlyList<InferenceCost> Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "report.json") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file} not found: run 'edgesentry bench --models ... --footage ... --out DIR' first and pass --bench DIR", file);
        }

        BenchReport report;
        try
        {
            report = JsonSerializer.Deserialize(File.ReadAllText(file), BenchJsonContext.Default.BenchReport)
                ?? throw new InvalidDataException($"{file}: empty bench report");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a bench report.json ({e.Message})", e);
        }

        return FromReport(report, file);
    }

    public static IReadOnlyList<InferenceCost> FromReport(BenchReport report, string source)
    {
        var costs = new List<InferenceCost>();
        foreach (var model in report.Models)
        {
            foreach (var layout in model.Layouts)
            {
                double inProcess = layout.EndToEndCpuMsPerFrame - layout.DecoderCpuMsPerFrame;
                double perDetection = inProcess > 0 ? inProcess : layout.SessionOnlyCpuMsPerFrame;
                if (perDetection <= 0)
                {
                    throw new InvalidDataException($"{source}: {model.Model} {layout.Layout} has no CPU per frame (bench ran without /proc?)");
                }

                costs.Add(new InferenceCost(model.Model, layout.Layout, layout.Workers, layout.Threads, perDetection, layout.SessionOnlyCpuMsPerFrame));
            }
        }

        return costs.Count > 0 ? costs : throw new InvalidDataException($"{source}: the bench report has no model results");
    }
}
