package dev.driftwatch.stats;

import static dev.driftwatch.stats.ReferenceVectors.close;
import static dev.driftwatch.stats.ReferenceVectors.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KS p-value over the whole range of sizes and statistics, against scipy 1.10.1 values written by
 * src/test/python/gen_stats_unit_values.py into src/test/resources/ks-distribution-vectors.json: the exact
 * distribution (equal and unequal sizes up to 10000, p down to underflow), kstwo.sf in every branch scipy picks,
 * and whole two-sample tests on the asymptotic path.
 */
class KolmogorovSmirnovDistributionTest {
    private static final JsonNode VECTORS = ReferenceVectors.read("ks-distribution-vectors.json");

    static Stream<Arguments> exactCases() {
        return ReferenceVectors.elements(VECTORS.get("exact")).stream()
                .map(c -> Arguments.of(c.get("n1").asInt() + "x" + c.get("n2").asInt() + " h=" + c.get("h").asLong(), c));
    }

    static Stream<Arguments> asymptoticCases() {
        return ReferenceVectors.elements(VECTORS.get("asymptotic")).stream()
                .map(c -> Arguments.of("n=" + c.get("n").asLong() + " d=" + c.get("d").asDouble(), c));
    }

    static Stream<Arguments> twoSampleCases() {
        return ReferenceVectors.elements(VECTORS.get("ks_2samp")).stream()
                .map(c -> Arguments.of(c.get("current").size() + " vs " + c.get("reference").size(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactCases")
    void exactPValueMatchesScipy(String name, JsonNode c) {
        double expected = c.get("pvalue").asDouble();
        double actual = KolmogorovSmirnov.pValue(c.get("d").asDouble(), c.get("n1").asInt(), c.get("n2").asInt());
        assertThat(close(actual, expected, 1e-9, 1e-6)).as("p %s vs scipy %s", actual, expected).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("asymptoticCases")
    void kolmogorovSurvivalMatchesScipyKstwo(String name, JsonNode c) {
        double expected = c.get("sf").asDouble();
        double actual = KolmogorovDistribution.sf(c.get("d").asDouble(), c.get("n").asLong());
        assertThat(close(actual, expected, 1e-300, 1e-3)).as("sf %s vs scipy %s", actual, expected).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twoSampleCases")
    void asymptoticTwoSampleTestMatchesScipy(String name, JsonNode c) {
        KsResult result = KolmogorovSmirnov.test(doubles(c.get("current")), doubles(c.get("reference")));
        double expected = c.get("ks_pvalue").asDouble();
        assertThat(result.exact()).isFalse();
        assertThat(result.statistic()).isCloseTo(c.get("ks_statistic").asDouble(), within(1e-12));
        assertThat(close(result.pValue(), expected, 0.0, 1e-3)).as("p %s vs scipy %s", result.pValue(), expected).isTrue();
    }

    @Test
    void identicalSamplesGiveDZeroAndPOne() {
        double[] a = {3, 1, 2, 2, 5};
        KsResult result = KolmogorovSmirnov.test(a, a);
        assertThat(result.statistic()).isZero();
        assertThat(result.pValue()).isEqualTo(1.0);
        assertThat(result.exact()).isTrue();
    }

    @Test
    void separatedSamplesOfSizeFiveTouchTheSmallestExactPValue() {
        // all 5 of one sample below all 5 of the other: D = 1, p = 2 / C(10, 5) = 2 / 252
        KsResult result = KolmogorovSmirnov.test(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10});
        assertThat(result.statistic()).isEqualTo(1.0);
        assertThat(result.pValue()).isCloseTo(2.0 / 252, within(1e-15));
    }

    @Test
    void inputArraysAreLeftUnchanged() {
        double[] a = {3, 1, 2};
        double[] b = {9, 0, 4, 4};
        KolmogorovSmirnov.test(a, b);
        assertThat(a).containsExactly(3, 1, 2);
        assertThat(b).containsExactly(9, 0, 4, 4);
    }

    @Test
    void rejectsEmptyUnsortedAndNaNSamplesWithAClearMessage() {
        assertThatThrownBy(() -> KolmogorovSmirnov.test(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first sample");
        assertThatThrownBy(() -> KolmogorovSmirnov.test(new double[] {1, Double.NaN}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> KolmogorovSmirnov.testSorted(new double[] {2, 1}, 2, new double[] {1}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not sorted");
        assertThatThrownBy(() -> KolmogorovSmirnov.pValue(Double.NaN, 10, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
