package dev.driftwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The numbers of {@code compare --format json} against scipy/numpy: every case of stats-vectors.json (generated
 * by scipy 1.10.1 / numpy 1.24.2) written as a pair of one-column CSV files and compared in this JVM through
 * {@link Main#execute}. KS statistic and p-value, PSI and KL (numeric cases) and chi-square (categorical cases)
 * must match to 1e-9, as DESIGN.md promises, and the verdict must follow from them.
 */
class CompareReferenceVectorsTest {
    private static final double TOLERANCE = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Stream<JsonNode> numericCases() throws IOException {
        return cases("numeric");
    }

    static Stream<JsonNode> categoricalCases() throws IOException {
        return cases("categorical");
    }

    private static Stream<JsonNode> cases(String kind) throws IOException {
        try (InputStream in = CompareReferenceVectorsTest.class.getResourceAsStream("/stats-vectors.json")) {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(in).get(kind).forEach(out::add);
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCases")
    void numericCaseMatchesScipy(JsonNode vector) throws IOException {
        Path reference = writeColumn("reference.csv", "value", vector.get("reference"));
        Path current = writeColumn("current.csv", "value", vector.get("current"));

        JsonNode column = compare(reference, current, vector.get("bins").asInt()).get("columns").get("value");

        String name = vector.get("name").asText();
        assertThat(column.get("n_reference").asInt()).isEqualTo(vector.get("reference").size());
        assertThat(column.get("n_current").asInt()).isEqualTo(vector.get("current").size());
        assertThat(column.get("ks_statistic").asDouble()).as(name + " KS D").isCloseTo(vector.get("ks_statistic").asDouble(), within(TOLERANCE));
        assertThat(column.get("ks_pvalue").asDouble()).as(name + " KS p").isCloseTo(vector.get("ks_pvalue").asDouble(), within(TOLERANCE));
        assertThat(column.get("psi").asDouble()).as(name + " PSI").isCloseTo(vector.get("psi").asDouble(), within(TOLERANCE));
        assertThat(column.get("kl").asDouble()).as(name + " KL").isCloseTo(vector.get("kl").asDouble(), within(TOLERANCE));
        // one column: no Bonferroni, alpha 0.01; PSI threshold 0.25
        boolean drifted = vector.get("ks_pvalue").asDouble() < 0.01 || vector.get("psi").asDouble() >= 0.25;
        assertThat(column.get("drifted").asBoolean()).as(name + " verdict").isEqualTo(drifted);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("categoricalCases")
    void categoricalCaseMatchesScipy(JsonNode vector) throws IOException {
        List<String> categories = new ArrayList<>();
        vector.get("categories").forEach(c -> categories.add(c.asText()));
        long[] referenceCounts = counts(vector.get("reference_counts"));
        long[] currentCounts = counts(vector.get("current_counts"));
        Path reference = writeCategories("reference.csv", categories, referenceCounts);
        Path current = writeCategories("current.csv", categories, currentCounts);

        JsonNode column = compare(reference, current, 10).get("columns").get("category");

        String name = vector.get("name").asText();
        assertThat(column.get("kind").asText()).isEqualTo("categorical");
        assertThat(column.get("chi2_statistic").asDouble()).as(name + " chi2").isCloseTo(vector.get("chi2_statistic").asDouble(), within(TOLERANCE));
        assertThat(column.get("chi2_pvalue").asDouble()).as(name + " chi2 p").isCloseTo(vector.get("chi2_pvalue").asDouble(), within(TOLERANCE));
        // PSI and KL over the categories, computed here from the counts (no empty cells in these cases)
        double nRef = sum(referenceCounts), nCur = sum(currentCounts), psi = 0, kl = 0;
        for (int i = 0; i < categories.size(); i++) {
            double p = currentCounts[i] / nCur, b = referenceCounts[i] / nRef;
            psi += (p - b) * Math.log(p / b);
            kl += p * Math.log(p / b);
        }
        assertThat(column.get("psi").asDouble()).as(name + " PSI").isCloseTo(psi, within(TOLERANCE));
        assertThat(column.get("kl").asDouble()).as(name + " KL").isCloseTo(kl, within(TOLERANCE));
        boolean drifted = vector.get("chi2_pvalue").asDouble() < 0.01 || psi >= 0.25;
        assertThat(column.get("drifted").asBoolean()).as(name + " verdict").isEqualTo(drifted);
    }

    private JsonNode compare(Path reference, Path current, int bins) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"compare", "--reference", reference.toString(), "--current", current.toString(),
                "--bins", Integer.toString(bins), "--format", "json"}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isEqualTo(ExitCodes.OK);
        return JSON.readTree(out.toString());
    }

    private Path writeColumn(String file, String header, JsonNode values) throws IOException {
        StringBuilder sb = new StringBuilder(header).append('\n');
        values.forEach(v -> sb.append(Double.toString(v.asDouble())).append('\n'));
        return Files.writeString(dir.resolve(file), sb);
    }

    /** Categories in round-robin order, so the file is not sorted by category. */
    private Path writeCategories(String file, List<String> categories, long[] counts) throws IOException {
        StringBuilder sb = new StringBuilder("category\n");
        long[] left = counts.clone();
        for (boolean any = true; any; ) {
            any = false;
            for (int i = 0; i < left.length; i++) {
                if (left[i] > 0) {
                    sb.append(categories.get(i)).append('\n');
                    left[i]--;
                    any = true;
                }
            }
        }
        return Files.writeString(dir.resolve(file), sb);
    }

    private static long[] counts(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static double sum(long[] counts) {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }
}
