package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.stats.Divergence;
import dev.driftwatch.stats.QuantileBins;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How two baselines of a model differ, feature by feature: PSI and KL of B's fractions against A's (A the
 * reference, as the job would judge a window). Useful before publishing a retrained model's baseline: a feature
 * whose training distribution moved this much will read as drift against the old baseline.
 *
 * <p>Numeric features with the same bin edges compare their exact fractions. When the edges differ, B's reference
 * sample is counted on A's edges (sampling error included, said in the note); a B without training values (a Feast
 * import) cannot be rebinned and is reported as "bins differ". Categorical features compare on A's categories; B's
 * categories outside them count as A's "other".
 */
public final class BaselineDiff {
    /** One feature's comparison; psi and kl are null when the two cannot be compared. */
    public record FeatureDiff(String feature, FeatureKind kind, Long countA, Long countB, Double missingA,
                              Double missingB, Double psi, Double kl, String note) {}

    private BaselineDiff() {}

    /** Features of A in A's order, then those only in B. */
    public static List<FeatureDiff> compare(List<FeatureBaseline> a, List<FeatureBaseline> b) {
        Map<String, FeatureBaseline> byA = byFeature(a);
        Map<String, FeatureBaseline> byB = byFeature(b);
        Set<String> features = new LinkedHashSet<>(byA.keySet());
        features.addAll(byB.keySet());
        List<FeatureDiff> out = new ArrayList<>();
        for (String f : features) {
            FeatureBaseline fa = byA.get(f);
            FeatureBaseline fb = byB.get(f);
            if (fa == null || fb == null) {
                FeatureBaseline only = fa == null ? fb : fa;
                out.add(new FeatureDiff(f, only.getKind(), fa == null ? null : fa.getCount(), fb == null ? null : fb.getCount(),
                        fa == null ? null : fa.getMissingFraction(), fb == null ? null : fb.getMissingFraction(),
                        null, null, fa == null ? "only in B" : "only in A"));
            } else if (fa.getKind() != fb.getKind()) {
                out.add(diff(fa, fb, null, null, "kinds differ (" + fa.getKind() + " in A, " + fb.getKind() + " in B)"));
            } else if (fa.getKind() == FeatureKind.NUMERIC) {
                out.add(numeric(fa, fb));
            } else {
                out.add(categorical(fa, fb));
            }
        }
        return out;
    }

    private static FeatureDiff numeric(FeatureBaseline a, FeatureBaseline b) {
        Baseline ba = new Baseline(a);
        double[] fa = ba.fractions();
        if (a.getBinEdges().equals(b.getBinEdges())) {
            double[] fb = new Baseline(b).fractions();
            return diff(a, b, Divergence.psi(fb, fa), Divergence.kl(fb, fa), "");
        }
        if (b.getKsSupport() == KsSupport.SAMPLE && !b.getReferenceSample().isEmpty()) {
            long[] counts = new long[fa.length];
            for (double v : b.getReferenceSample()) {
                counts[QuantileBins.binIndex(ba.edges(), v)]++;
            }
            double[] fb = Divergence.fractions(counts);
            return diff(a, b, Divergence.psi(fb, fa), Divergence.kl(fb, fa),
                    "bins differ: B's sample of " + b.getReferenceSample().size() + " counted on A's bins");
        }
        return diff(a, b, null, null, "bins differ and B has no training values to count on A's bins");
    }

    private static FeatureDiff categorical(FeatureBaseline a, FeatureBaseline b) {
        List<String> categories = a.getCategories();
        double[] fa = new Baseline(a).fractions();
        double[] fb = new double[fa.length];
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < categories.size(); i++) {
            index.put(categories.get(i), i);
        }
        List<String> bCategories = b.getCategories();
        List<Double> bFractions = b.getCategoryFractions();
        for (int i = 0; i < bCategories.size(); i++) {
            Integer at = index.get(bCategories.get(i));
            fb[at == null ? fa.length - 1 : at] += bFractions.get(i);
        }
        fb[fa.length - 1] += bFractions.get(bFractions.size() - 1);
        String note = Set.copyOf(categories).equals(Set.copyOf(bCategories)) ? ""
                : "categories differ: compared on A's categories, B's others as 'other'";
        return diff(a, b, Divergence.psi(fb, fa), Divergence.kl(fb, fa), note);
    }

    private static FeatureDiff diff(FeatureBaseline a, FeatureBaseline b, Double psi, Double kl, String note) {
        return new FeatureDiff(a.getFeature(), a.getKind(), a.getCount(), b.getCount(), a.getMissingFraction(),
                b.getMissingFraction(), psi, kl, note);
    }

    private static Map<String, FeatureBaseline> byFeature(List<FeatureBaseline> baselines) {
        Map<String, FeatureBaseline> out = new LinkedHashMap<>();
        for (FeatureBaseline b : baselines) {
            out.put(b.getFeature(), b);
        }
        return out;
    }
}
