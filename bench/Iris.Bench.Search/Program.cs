using Iris.Bench.Search;

// Image-to-image search benchmarks; bench/search.sh builds and runs them. The first argument names the mode, the rest
// are that mode's --name value options. A mode is a class with a Run(string[] args) returning the exit code, listed here.
var modes = new Dictionary<string, (string What, Func<string[], int> Run)>(StringComparer.Ordinal)
{
    ["quality"] = ("recall@8 of edited copies among corpus distractors, embeddings next to the perceptual hash; the embedding stage's cost",
        QualityBench.Run),
};

if (args.Length == 0 || !modes.TryGetValue(args[0], out var mode))
{
    Console.Error.WriteLine("Usage: iris-bench-search MODE [--name value ...]. Modes:");
    foreach (var (name, (what, _)) in modes) Console.Error.WriteLine($"  {name,-8} {what}");
    return 2;
}
try
{
    return mode.Run(args[1..]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
