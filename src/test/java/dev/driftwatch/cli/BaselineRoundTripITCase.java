package dev.driftwatch.cli;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * `driftwatch baseline build` then `driftwatch baseline show`, both run as processes (bin/driftwatch) on a CSV
 * training set written here: what show prints is what the store holds, and the stored edges, fractions and sample
 * agree with the training values as computed independently here (numpy's linear quantiles, exact counts).
 */
class BaselineRoundTripITCase {
    @TempDir
    static Path dir;

    static final int ROWS = 3000;
    static final List<Double> amount = new ArrayList<>();
    static final List<Double> visits = new ArrayList<>();
    static final List<String> segment = new ArrayList<>();
    static final List<Double> score = new ArrayList<>();
    static int missingAmount;
    static CliProcess.Result build;
    static CliProcess.Result show;

    @BeforeAll
    static void buildAndShow() throws Exception {
        Random r = new Random(42);
        StringBuilder csv = new StringBuilder("amount,visits,segment,score\n");
        for (int i = 0; i < ROWS; i++) {
            String a = "";
            if (r.nextDouble() < 0.03) {
                missingAmount++;
            } else {
                double v = Math.exp(r.nextGaussian());
                amount.add(v);
                a = Double.toString(v);
            }
            double vi = r.nextInt(4) + r.nextInt(3); // small integers: duplicate quantiles collapse
            visits.add(vi);
            String s = List.of("retail", "retail", "retail", "sme", "sme", "corporate", "public").get(r.nextInt(7));
            segment.add(s);
            double sc = r.nextDouble();
            score.add(sc);
            csv.append(a).append(',').append((long) vi).append(',').append(s).append(',').append(sc).append('\n');
        }
        Files.writeString(dir.resolve("train.csv"), csv);

        build = CliProcess.run(dir, "baseline", "build", "--input", "train.csv", "--model", "fraud", "--version", "v7", "--out", "baselines",
                "--sample", "500", "--top-categories", "2", "--prediction-column", "score");
        show = CliProcess.run(dir, "baseline", "show", "baselines", "--sample-values");
    }

    @Test
    void buildWritesOneFileWithEveryFeatureAndThePrediction() {
        assertThat(build.exitCode()).as(build.stderr()).isZero();
        assertThat(build.stdout()).contains("wrote 4 baselines of fraud/v7", "fraud__v7.avro");
        List<FeatureBaseline> stored = BaselineStore.read(dir.resolve("baselines"));
        assertThat(stored).extracting(FeatureBaseline::getFeature)
                .containsExactly("amount", "visits", "segment", Baseline.PREDICTION_FEATURE);
    }

    @Test
    void numericEdgesAreNumpyQuantilesAndFractionsExactCounts() {
        for (Map.Entry<String, List<Double>> e : Map.of("amount", amount, "visits", visits, Baseline.PREDICTION_FEATURE, score).entrySet()) {
            FeatureBaseline b = stored(e.getKey());
            double[] sorted = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double[] edges = numpyEdges(sorted, 10);

            assertThat(b.getBinEdges()).as(e.getKey()).hasSize(edges.length);
            for (int i = 0; i < edges.length; i++) {
                assertThat(b.getBinEdges().get(i)).as(e.getKey() + " edge " + i).isCloseTo(edges[i], within(1e-12 * Math.max(1, Math.abs(edges[i]))));
            }
            long[] counts = new long[edges.length + 1];
            for (double v : sorted) {
                int bin = 0;
                while (bin < edges.length && v > edges[bin]) {
                    bin++;
                }
                counts[bin]++;
            }
            for (int i = 0; i < counts.length; i++) {
                assertThat(b.getBinFractions().get(i)).as(e.getKey() + " fraction " + i).isEqualTo((double) counts[i] / sorted.length);
            }
            assertThat(b.getCount()).isEqualTo(sorted.length);
        }
        assertThat(stored("visits").getBinEdges()).as("duplicate edges collapse").hasSizeLessThan(9);
        assertThat(stored("amount").getMissingCount()).isEqualTo(missingAmount);
        assertThat(stored("amount").getMissingFraction()).isEqualTo((double) missingAmount / ROWS);
    }

    @Test
    void sampleValuesAreMembersOfTheTrainingValues() {
        FeatureBaseline b = stored("amount");
        Map<Double, Integer> available = new HashMap<>();
        amount.forEach(v -> available.merge(v, 1, Integer::sum));

        assertThat(b.getReferenceSample()).hasSize(500);
        for (double v : b.getReferenceSample()) {
            assertThat(available.merge(v, -1, Integer::sum)).as("sample value %s drawn more often than it occurs", v).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void categoricalTopCategoriesAndOther() {
        FeatureBaseline b = stored("segment");
        Map<String, Long> counts = new LinkedHashMap<>();
        segment.forEach(s -> counts.merge(s, 1L, Long::sum));

        assertThat(b.getCategories()).containsExactly("retail", "sme");
        assertThat(b.getCategoryFractions()).containsExactly(
                (double) counts.get("retail") / ROWS,
                (double) counts.get("sme") / ROWS,
                (double) (counts.get("corporate") + counts.get("public")) / ROWS);
    }

    @Test
    void lineageNamesTheTrainingFile() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("train.csv"))));
        for (FeatureBaseline b : BaselineStore.read(dir.resolve("baselines"))) {
            assertThat(b.getLineage().getDatasetSha256()).isEqualTo(sha);
            assertThat(b.getLineage().getRows()).isEqualTo(ROWS);
            assertThat(b.getLineage().getSource()).isEqualTo(dir.resolve("train.csv").toRealPath().toString());
            assertThat(b.getLineage().getCodeVersion()).isNotBlank().isNotEqualTo("unknown");
        }
    }

    @Test
    void showPrintsWhatIsStored() {
        assertThat(show.exitCode()).as(show.stderr()).isZero();
        Map<String, Map<String, String>> blocks = parseShow(show.stdout());
        assertThat(blocks.keySet()).containsExactly("amount", "visits", "segment", Baseline.PREDICTION_FEATURE);
        for (FeatureBaseline b : BaselineStore.read(dir.resolve("baselines"))) {
            Map<String, String> block = blocks.get(b.getFeature());
            assertThat(block.get("model")).isEqualTo("fraud");
            assertThat(block.get("version")).isEqualTo("v7");
            assertThat(block.get("kind")).isEqualTo(b.getKind().toString());
            assertThat(block.get("count")).isEqualTo(Long.toString(b.getCount()));
            assertThat(block.get("missing")).startsWith(b.getMissingCount() + " ");
            assertThat(block.get("lineage")).contains("sha256=" + b.getLineage().getDatasetSha256(), "rows=" + ROWS);
            if (b.getStats() != null) {
                assertThat(parseList(block.get("edges"))).isEqualTo(b.getBinEdges());
                assertThat(parseList(block.get("fractions"))).isEqualTo(b.getBinFractions());
                assertThat(parseList(block.get("sample values"))).isEqualTo(b.getReferenceSample());
                assertThat(block.get("sample")).startsWith(b.getReferenceSample().size() + " values");
                assertThat(block.get("stats")).contains("mean=" + b.getStats().getMean(), "p99=" + b.getStats().getP99());
            } else {
                assertThat(block.get("categories")).startsWith(b.getCategories().size() + " ");
            }
        }
        assertThat(show.stdout()).contains("'retail'", "(other)");
    }

    private static FeatureBaseline stored(String feature) {
        return BaselineStore.read(dir.resolve("baselines")).stream().filter(b -> b.getFeature().equals(feature)).findFirst().orElseThrow();
    }

    /** numpy.quantile(values, k/bins, method='linear') for k = 1..bins-1, duplicates dropped. */
    private static double[] numpyEdges(double[] sorted, int bins) {
        List<Double> out = new ArrayList<>();
        for (int k = 1; k < bins; k++) {
            double index = (sorted.length - 1) * ((double) k / bins);
            int lo = (int) Math.floor(index);
            int hi = Math.min(lo + 1, sorted.length - 1);
            double t = index - lo;
            double a = sorted[lo], diff = sorted[hi] - a;
            // numpy's _lerp: interpolates from the nearer end
            double q = t >= 0.5 ? sorted[hi] - diff * (1 - t) : a + diff * t;
            if (out.isEmpty() || out.get(out.size() - 1) != q) {
                out.add(q);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Feature -> (label -> text after the label) of `baseline show` output. */
    private static Map<String, Map<String, String>> parseShow(String text) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("baseline ")) {
                current = new LinkedHashMap<>();
                out.put(line.substring(line.lastIndexOf('/') + 1), current);
            } else if (current != null && line.startsWith("  ") && !line.startsWith("    ") && line.contains(":")) {
                int colon = line.indexOf(':');
                current.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    private static List<Double> parseList(String bracketed) {
        String inner = bracketed.substring(1, bracketed.length() - 1).strip();
        return inner.isEmpty() ? List.of() : Arrays.stream(inner.split(", ")).map(Double::valueOf).toList();
    }
}
