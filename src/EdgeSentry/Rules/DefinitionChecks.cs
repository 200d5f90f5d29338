using System.Globalization;

namespace EdgeSentry.Rules;

internal static class DefinitionChecks
{
    public static void Id(string? id, string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add($"{path}.id: is required");
        }
        else if (id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            // Ids end up in incident ids and MQTT topics: keep them to a safe alphabet.
            errors.Add($"{path}.id: '{id}' must be 1-64 characters of a-z, A-Z, 0-9, '-', '_', '.'");
        }
    }

    public static bool Point(double[]? point, string path, string what, List<string> errors)
    {
        if (point is null || point.Length != 2)
        {
            errors.Add($"{path}: {what} must be [x, y]");
            return false;
        }

        if (!(point[0] is >= 0 and <= 1) || !(point[1] is >= 0 and <= 1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {what} ({point[0]}, {point[1]}) is outside [0,1]"));
            return false;
        }

        return true;
    }

    public static bool Vector(double[] v, string path, List<string> errors)
    {
        if (v.Length != 2 || !double.IsFinite(v[0]) || !double.IsFinite(v[1]) || ((v[0] * v[0]) + (v[1] * v[1])) < 1e-12)
        {
            errors.Add($"{path}: must be a non-zero vector [dx, dy]");
            return false;
        }

        return true;
    }

    public static bool Size(double[] size, string path, List<string> errors)
    {
        if (size.Length != 2 || !(size[0] is >= 0 and <= 1) || !(size[1] is >= 0 and <= 1))
        {
            errors.Add($"{path}: must be [width, height] as fractions of the frame, each in [0,1]");
            return false;
        }

        return true;
    }

    public static void Range(double value, double min, double max, string path, List<string> errors)
    {
        if (!(value >= min && value <= max))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {value} is outside [{min}, {max}]"));
        }
    }
}
