package dev.driftwatch.stats;

import static dev.driftwatch.stats.ReferenceVectors.close;
import static dev.driftwatch.stats.ReferenceVectors.doubles;
import static dev.driftwatch.stats.ReferenceVectors.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of src/test/resources/stats-vectors.json (scipy 1.10.1 / numpy 1.24.2, the project's reference
 * data): KS D within 1e-12, p within 1e-9 absolute or 1e-6 relative (exact) or 1e-3 relative (asymptotic); bin
 * edges, fractions, PSI and KL within 1e-9; chi-square statistic and p-value within 1e-9 relative.
 */
class StatsReferenceVectorsTest {
    private static final JsonNode VECTORS = ReferenceVectors.read("stats-vectors.json");

    static Stream<Arguments> numericCases() {
        return ReferenceVectors.elements(VECTORS.get("numeric")).stream()
                .map(c -> Arguments.of(c.get("name").asText(), c));
    }

    static Stream<Arguments> categoricalCases() {
        return ReferenceVectors.elements(VECTORS.get("categorical")).stream()
                .map(c -> Arguments.of(c.get("name").asText(), c));
    }

    @Test
    void referenceDataComesFromTheDocumentedGenerator() {
        assertThat(VECTORS.get("generator").asText()).startsWith("scipy 1.10.1 numpy 1.24.2");
        assertThat(VECTORS.get("numeric")).hasSizeGreaterThanOrEqualTo(8);
        assertThat(VECTORS.get("categorical")).hasSizeGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCases")
    void ksMatchesScipy(String name, JsonNode c) {
        double[] current = doubles(c.get("current"));
        double[] reference = doubles(c.get("reference"));
        boolean exact = c.get("ks_method").asText().equals("exact");
        double expectedP = c.get("ks_pvalue").asDouble();

        KsResult result = KolmogorovSmirnov.test(current, reference);

        assertThat(result.statistic()).isCloseTo(c.get("ks_statistic").asDouble(), within(1e-12));
        assertThat(result.exact()).isEqualTo(exact);
        if (exact) {
            assertThat(close(result.pValue(), expectedP, 1e-9, 1e-6))
                    .as("exact p-value %s vs scipy %s", result.pValue(), expectedP)
                    .isTrue();
        } else {
            assertThat(close(result.pValue(), expectedP, 0.0, 1e-3))
                    .as("asymptotic p-value %s vs scipy %s", result.pValue(), expectedP)
                    .isTrue();
        }
        // the order of the samples does not matter to a two-sided test
        KsResult swapped = KolmogorovSmirnov.test(reference, current);
        assertThat(swapped.statistic()).isCloseTo(result.statistic(), within(1e-15));
        assertThat(swapped.pValue()).isCloseTo(result.pValue(), within(1e-15));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCases")
    void binsFractionsPsiAndKlMatchNumpy(String name, JsonNode c) {
        double[] reference = doubles(c.get("reference"));
        double[] current = doubles(c.get("current"));
        double[] sortedReference = reference.clone();
        Arrays.sort(sortedReference);

        double[] edges = QuantileBins.edges(sortedReference, sortedReference.length, c.get("bins").asInt());
        double[] referenceFractions = Divergence.fractions(QuantileBins.counts(edges, reference, reference.length));
        double[] currentFractions = Divergence.fractions(QuantileBins.counts(edges, current, current.length));

        assertThat(edges).containsExactly(doubles(c.get("edges")), within(1e-9));
        assertThat(referenceFractions).containsExactly(doubles(c.get("reference_fractions")), within(1e-9));
        assertThat(currentFractions).containsExactly(doubles(c.get("current_fractions")), within(1e-9));
        assertThat(Divergence.psi(currentFractions, referenceFractions)).isCloseTo(c.get("psi").asDouble(), within(1e-9));
        assertThat(Divergence.kl(currentFractions, referenceFractions)).isCloseTo(c.get("kl").asDouble(), within(1e-9));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("categoricalCases")
    void chiSquareMatchesScipy(String name, JsonNode c) {
        double[] baselineFractions = Divergence.fractions(longs(c.get("reference_counts")));

        ChiSquareResult result = ChiSquare.goodnessOfFit(longs(c.get("current_counts")), baselineFractions);

        double expectedStatistic = c.get("chi2_statistic").asDouble();
        double expectedP = c.get("chi2_pvalue").asDouble();
        assertThat(close(result.statistic(), expectedStatistic, 0.0, 1e-9))
                .as("statistic %s vs scipy %s", result.statistic(), expectedStatistic)
                .isTrue();
        assertThat(close(result.pValue(), expectedP, 0.0, 1e-9))
                .as("p-value %s vs scipy %s", result.pValue(), expectedP)
                .isTrue();
        assertThat(result.degreesOfFreedom()).isEqualTo(c.get("dof").asInt());
    }
}
