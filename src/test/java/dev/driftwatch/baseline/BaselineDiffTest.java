package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.cli.Main;
import dev.driftwatch.testing.Baselines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BaselineDiffTest {
    static final FeatureBaseline A_X = Baselines.numeric("m", "v1", "x", List.of(0.0), List.of(0.5, 0.5), List.of(-1.0, 1.0));
    static final FeatureBaseline A_C = Baselines.categorical("m", "v1", "c", List.of("a", "b"), List.of(0.5, 0.4, 0.1));
    static final FeatureBaseline A_GONE = Baselines.numeric("m", "v1", "gone", List.of(0.0), List.of(0.5, 0.5), List.of(1.0));

    @TempDir
    Path dir;

    static double psi(double[] p, double[] b) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double pi = Math.max(p[i], 1e-4);
            double bi = Math.max(b[i], 1e-4);
            sum += (pi - bi) * Math.log(pi / bi);
        }
        return sum;
    }

    static BaselineDiff.FeatureDiff only(List<BaselineDiff.FeatureDiff> diffs, String feature) {
        return diffs.stream().filter(d -> d.feature().equals(feature)).findFirst().orElseThrow();
    }

    @Test
    void sameBinsCompareExactFractionsAndCategoriesCompareOnAsCategories() {
        FeatureBaseline bX = Baselines.numeric("m", "v2", "x", List.of(0.0), List.of(0.3, 0.7), List.of(0.5));
        FeatureBaseline bC = Baselines.categorical("m", "v2", "c", List.of("b", "z"), List.of(0.6, 0.3, 0.1));
        FeatureBaseline bNew = Baselines.numeric("m", "v2", "new", List.of(0.0), List.of(0.5, 0.5), List.of(1.0));

        List<BaselineDiff.FeatureDiff> diffs = BaselineDiff.compare(List.of(A_X, A_C, A_GONE), List.of(bX, bC, bNew));

        assertThat(diffs).extracting(BaselineDiff.FeatureDiff::feature).containsExactly("x", "c", "gone", "new");
        assertThat(only(diffs, "x").psi()).isCloseTo(psi(new double[] {0.3, 0.7}, new double[] {0.5, 0.5}), within(1e-12));
        assertThat(only(diffs, "x").note()).isEmpty();
        // on A's categories a, b, other: B has no 'a', 0.6 'b', and 'z' plus its own other in 'other'
        assertThat(only(diffs, "c").psi()).isCloseTo(psi(new double[] {0, 0.6, 0.4}, new double[] {0.5, 0.4, 0.1}), within(1e-12));
        assertThat(only(diffs, "c").note()).contains("categories differ");
        assertThat(only(diffs, "gone").note()).isEqualTo("only in A");
        assertThat(only(diffs, "gone").psi()).isNull();
        assertThat(only(diffs, "new").note()).isEqualTo("only in B");
    }

    @Test
    void differentBinsUseBsSampleOnAsBinsOrSaySo() {
        FeatureBaseline bSampled = Baselines.numeric("m", "v2", "x", List.of(0.5), List.of(0.5, 0.5),
                List.of(-2.0, -1.0, 0.0, 0.25, 1.0, 3.0, 4.0, 5.0));
        BaselineDiff.FeatureDiff d = BaselineDiff.compare(List.of(A_X), List.of(bSampled)).get(0);
        // on A's single edge 0 (bins (-inf, 0], (0, inf)): -2, -1, 0 | 0.25, 1, 3, 4, 5
        assertThat(d.psi()).isCloseTo(psi(new double[] {3 / 8.0, 5 / 8.0}, new double[] {0.5, 0.5}), within(1e-12));
        assertThat(d.note()).contains("B's sample of 8");

        FeatureBaseline bAggregate = FeatureBaseline.newBuilder(bSampled).setReferenceSample(List.of())
                .setKsSupport(KsSupport.UNAVAILABLE).build();
        BaselineDiff.FeatureDiff none = BaselineDiff.compare(List.of(A_X), List.of(bAggregate)).get(0);
        assertThat(none.psi()).isNull();
        assertThat(none.note()).contains("bins differ");
    }

    @Test
    void theCommandPrintsOneRowPerFeatureAndStarsSignificantPsi() {
        BaselineStore.write(dir.resolve("a"), List.of(A_X, A_C));
        BaselineStore.write(dir.resolve("b"), List.of(
                Baselines.numeric("m", "v2", "x", List.of(0.0), List.of(0.05, 0.95), List.of(0.5)),
                Baselines.categorical("m", "v2", "c", List.of("a", "b"), List.of(0.5, 0.4, 0.1))));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"baseline", "diff", dir.resolve("a").toString(), dir.resolve("b").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("A: m/v1, 2 features, training data sha256 sha-v1");
        assertThat(lines.get(1)).startsWith("B: m/v2");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("*  x ").contains(String.format(java.util.Locale.ROOT, "%.4f",
                psi(new double[] {0.05, 0.95}, new double[] {0.5, 0.5}))));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("   c ").contains("0.0000"));

        BaselineStore.write(dir.resolve("a"), List.of(Baselines.numeric("m", "v9", "x", List.of(0.0), List.of(0.5, 0.5), List.of(0.5))));
        StringWriter err2 = new StringWriter();
        code = Main.execute(new String[] {"baseline", "diff", dir.resolve("a").toString(), dir.resolve("b").toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err2));
        assertThat(code).isEqualTo(2);
        assertThat(err2.toString().strip()).contains("2 model versions").doesNotContain("\n");
    }
}
