using System.Runtime.CompilerServices;

// The binding's tests exercise its library lookup directly.
[assembly: InternalsVisibleTo("EdgeSentry.Tests")]
