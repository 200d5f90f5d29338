using EdgeSentry.Planning;

namespace EdgeSentry.Tests.Planning;

public sealed class StreamFormatTests
{
    [Theory]
    [InlineData("1920x1080@25", 1920, 1080, 25)]
    [InlineData("640X360@7.5", 640, 360, 7.5)]
    public void Parse_Valid_ReadsSizeAndRate(string text, int width, int height, double fps)
    {
        Assert.Equal(new StreamFormat(width, height, fps), StreamFormat.Parse(text));
    }

    [Theory]
    [InlineData("1920x1080")]
    [InlineData("1920*1080@25")]
    [InlineData("641x360@10")]
    [InlineData("640x360@0")]
    [InlineData("640x360@fast")]
    public void Parse_Invalid_ThrowsNamingTheText(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => StreamFormat.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }
}
