namespace EdgeSentry.Routing;

/// <summary>A WGS84 position in degrees.</summary>
public readonly record struct GeoPoint(double Lat, double Lon)
{
    /// <summary>Mean earth radius (IUGG), the usual choice for haversine distances.</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    public bool IsValid => Lat is >= -90 and <= 90 && Lon is >= -180 and <= 180 && double.IsFinite(Lat) && double.IsFinite(Lon);

    /// <summary>Great-circle distance by the haversine formula, which stays accurate at the few-metre distances a grid cell has.</summary>
    public double DistanceMetres(GeoPoint other)
    {
        double lat1 = double.DegreesToRadians(Lat);
        double lat2 = double.DegreesToRadians(other.Lat);
        double dLat = lat2 - lat1;
        double dLon = double.DegreesToRadians(other.Lon - Lon);
        double h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
