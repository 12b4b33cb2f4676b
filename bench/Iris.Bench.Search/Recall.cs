using System.Security.Cryptography;
using System.Text;

namespace Iris.Bench.Search;

/// <summary>What one way of comparing pictures found: recall@k over the queries, overall and per edit kind.</summary>
/// <param name="MeanAveragePrecision">Average precision of the copies over the whole ranking, averaged over the queries:
/// finer than recall@k (it sees how far up or down the copies are), so it tells apart methods whose recall is the same.</param>
/// <param name="Misses">Each copy outside the k nearest: where it ranked, and what ranked first among the distractors.</param>
internal sealed record RecallResult(string Method, double Mean, double MeanAveragePrecision, IReadOnlyDictionary<string, double> ByEdit,
    IReadOnlyList<double> ByQuery, IReadOnlyList<string> Misses);

/// <summary>
/// recall@k of edited copies: for each query, the share of its copies among the k items nearest to it, leaving out the
/// query itself and its family's other corpus files. Ties are broken by a hash of the items' labels: deterministic, and
/// favouring neither copies nor distractors.
/// </summary>
internal static class Recall
{
    public static RecallResult Compute(string method, QualitySet set, int k, Func<int, int, double> similarity)
    {
        var tieKeys = set.Items.Select(i => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(i.Label)))).ToArray();
        var found = new Dictionary<string, (int Hits, int Total)>(StringComparer.Ordinal);
        var byQuery = new List<double>();
        var averagePrecisions = new List<double>();
        var misses = new List<string>();
        foreach (var query in set.Queries)
        {
            var family = set.Items[query].Family;
            bool IsCopy(int i) => set.Items[i].Family == family && set.Items[i].Edit is not null;
            var ranking = Enumerable.Range(0, set.Items.Count)
                .Where(i => i != query && !(set.Items[i].Family == family && set.Items[i].Edit is null))
                .Select(i => (Index: i, Score: similarity(query, i)))
                .OrderByDescending(c => c.Score).ThenBy(c => tieKeys[c.Index])
                .ToList();
            var nearest = ranking.Take(k).Select(c => c.Index).ToHashSet();
            var copies = Enumerable.Range(0, set.Items.Count).Where(IsCopy).ToList();
            var firstDistractor = ranking.First(c => !IsCopy(c.Index));
            foreach (var copy in copies)
            {
                var edit = set.Items[copy].Edit!;
                var (hits, total) = found.GetValueOrDefault(edit);
                found[edit] = (hits + (nearest.Contains(copy) ? 1 : 0), total + 1);
                if (!nearest.Contains(copy))
                {
                    var rank = ranking.FindIndex(c => c.Index == copy);
                    misses.Add($"{set.Items[copy].Label} at rank {rank + 1} ({ranking[rank].Score:0.000}); first distractor {set.Items[firstDistractor.Index].Label} ({firstDistractor.Score:0.000})");
                }
            }
            byQuery.Add(copies.Count(nearest.Contains) / (double)copies.Count);
            double seen = 0, precisionSum = 0;
            for (var rank = 0; rank < ranking.Count && seen < copies.Count; rank++)
            {
                if (!IsCopy(ranking[rank].Index)) continue;
                seen++;
                precisionSum += seen / (rank + 1);
            }
            averagePrecisions.Add(precisionSum / copies.Count);
        }
        return new RecallResult(method, byQuery.Average(), averagePrecisions.Average(),
            found.ToDictionary(e => e.Key, e => e.Value.Hits / (double)e.Value.Total), byQuery, misses);
    }

    public static double Cosine(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<float>(a, b);
}
