namespace EdgeSentry.Detection;

/// <summary>Reads a labels file: one class name per line, line i names class i; blank lines are ignored at the end only.</summary>
public static class LabelTable
{
    public static IReadOnlyList<string> Load(string path, int expectedClasses, string modelName)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"labels file {path} for model {modelName} does not exist", path);
        }

        var lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        int blank = lines.FindIndex(l => l.Length == 0);
        if (blank >= 0)
        {
            throw new InvalidDataException($"labels file {path} has an empty name on line {blank + 1}");
        }

        if (lines.Count != expectedClasses)
        {
            throw new InvalidDataException(
                $"labels file {path} has {lines.Count} class names but model {modelName} has {expectedClasses} classes");
        }

        return lines.AsReadOnly();
    }
}
