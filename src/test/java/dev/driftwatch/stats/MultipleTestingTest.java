package dev.driftwatch.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Bonferroni and Benjamini-Hochberg. The 25 p-values are Benjamini and Hochberg's (1995) example; the adjusted
 * values and rejections are printed by src/test/python/gen_stats_unit_values.py (numpy step-up).
 */
class MultipleTestingTest {
    private static final double[] P = {
        0.0001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269,
        0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986
    };

    @Test
    void bonferroniDividesAlphaByTheNumberOfTests() {
        assertThat(MultipleTesting.bonferroniAlpha(0.01, 7)).isCloseTo(0.0014285714285714286, within(1e-18));
        assertThat(MultipleTesting.bonferroniAlpha(0.01, 1)).isEqualTo(0.01);
        assertThat(MultipleTesting.bonferroniAlpha(0.01, 0)).isEqualTo(0.01);
        assertThatThrownBy(() -> MultipleTesting.bonferroniAlpha(0.0, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void benjaminiHochbergRejectsTheStepUpSet() {
        assertThat(rejectedIndices(MultipleTesting.benjaminiHochberg(P, 0.05))).containsExactly(0);
        // 0.039, 0.041, 0.042 pass only because 0.06 at rank 6 does (6/25 * 0.25 = 0.06): the step-up part
        assertThat(rejectedIndices(MultipleTesting.benjaminiHochberg(P, 0.25))).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void adjustedPValuesMatchTheReference() {
        double[] expected = {
            0.0025, 0.1, 0.21000000000000002, 0.21000000000000002, 0.21000000000000002, 0.25, 0.2642857142857143,
            0.49107142857142866, 0.49107142857142866, 0.49107142857142866, 0.49107142857142866, 0.49107142857142866,
            0.49107142857142866, 0.49107142857142866, 0.5328125, 0.5328125, 0.5647058823529412, 0.781578947368421,
            0.781578947368421, 0.8699999999999999, 0.9071428571428571, 0.986, 0.986, 0.986, 0.986
        };
        assertThat(MultipleTesting.benjaminiHochbergAdjusted(P)).containsExactly(expected, within(1e-12));
    }

    @Test
    void nanPValuesAreNeverRejectedAndDoNotCount() {
        double[] p = {0.001, Double.NaN, 0.02, 0.5};
        boolean[] rejected = MultipleTesting.benjaminiHochberg(p, 0.05);
        // m = 3: 0.001 <= 0.05/3 and 0.02 <= 2 * 0.05/3
        assertThat(rejected).containsExactly(true, false, true, false);
    }

    @Test
    void tiedPValuesShareOneFate() {
        double[] p = {0.03, 0.03, 0.03, 0.9};
        // rank 3: 0.03 <= 3/4 * 0.05 = 0.0375, so all three ties are rejected
        assertThat(MultipleTesting.benjaminiHochberg(p, 0.05)).containsExactly(true, true, true, false);
    }

    private static int[] rejectedIndices(boolean[] rejected) {
        return java.util.stream.IntStream.range(0, rejected.length).filter(i -> rejected[i]).toArray();
    }
}
