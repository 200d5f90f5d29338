namespace EdgeSentry.Pictures;

/// <summary>
/// One stable colour per class id, so a person is the same colour in every snapshot, every camera and every
/// `detect --out` picture. Saturated, well-separated hues that read on grey street footage; the list repeats
/// after <see cref="Count"/> classes (COCO's 80 share 20 colours, neighbours in the id space differ).
/// </summary>
public static class ClassPalette
{
    private static readonly BgrColor[] Colours =
    [
        new(0, 200, 0),      // 0 person: green
        new(255, 160, 0),    // 1 bicycle: azure
        new(0, 140, 255),    // 2 car: orange
        new(255, 0, 200),    // 3 motorcycle: violet
        new(0, 220, 255),    // 4: gold
        new(200, 0, 255),    // 5 bus: pink
        new(255, 255, 0),    // 6 train: cyan
        new(0, 0, 230),      // 7 truck: red
        new(128, 255, 128),  // 8: mint
        new(255, 80, 80),    // 9: blue
        new(80, 80, 255),    // 10: salmon
        new(0, 255, 180),    // 11: lime
        new(180, 0, 120),    // 12: purple
        new(0, 100, 180),    // 13: brown
        new(200, 200, 0),    // 14: teal
        new(160, 160, 255),  // 15: rose
        new(255, 200, 120),  // 16: sky
        new(60, 180, 255),   // 17: apricot
        new(120, 0, 255),    // 18: crimson
        new(255, 255, 255),  // 19: white
    ];

    public static int Count => Colours.Length;

    public static BgrColor For(int classId) => Colours[(int)((uint)classId % (uint)Colours.Length)];
}
