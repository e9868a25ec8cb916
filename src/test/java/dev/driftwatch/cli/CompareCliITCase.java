package dev.driftwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `driftwatch compare` end to end: bin/driftwatch run as a process on CSV (and Avro) files written here, a stable
 * pair and a shifted pair with a categorical column and missing values; checks what a user sees: the table, the
 * JSON contract, the verdict, the exit codes, and one clear stderr line for each kind of bad input.
 */
class CompareCliITCase {
    @TempDir
    static Path dir;

    /** Rows of the generated files, and their missing x cells (the other columns have no gaps). */
    static final int REF_ROWS = 2000;
    static final int CUR_ROWS = 1500;
    static int refMissingX;
    static int curMissingX;
    static int shiftedMissingX;

    @BeforeAll
    static void writeFiles() throws IOException {
        refMissingX = writeCsv(dir.resolve("reference.csv"), REF_ROWS, 1, false);
        curMissingX = writeCsv(dir.resolve("current.csv"), CUR_ROWS, 2, false);
        shiftedMissingX = writeCsv(dir.resolve("shifted.csv"), CUR_ROWS, 3, true);
    }

    /**
     * Columns: x ~ N(0, 1) with about 5% empty cells (N(1, 1) when shifted), y ~ U(0, 10) never shifted, and
     * "segment, region" (quoted header: holds a comma) drawn from a/b/c at 50/30/20% (20/30/50% when shifted).
     * Returns the number of missing x cells.
     */
    static int writeCsv(Path file, int rows, long seed, boolean shifted) throws IOException {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder("x,y,\"segment, region\"\r\n");
        int missing = 0;
        for (int i = 0; i < rows; i++) {
            String x;
            if (r.nextDouble() < 0.05) {
                x = "";
                missing++;
            } else {
                x = Double.toString(r.nextGaussian() + (shifted ? 1.0 : 0.0));
            }
            double u = r.nextDouble();
            String segment = shifted ? (u < 0.2 ? "a" : u < 0.5 ? "b" : "c") : (u < 0.5 ? "a" : u < 0.8 ? "b" : "c");
            sb.append(x).append(',').append(String.format(Locale.ROOT, "%.6f", r.nextDouble() * 10)).append(',')
                    .append('"').append(segment).append('"').append("\r\n");
        }
        Files.writeString(file, sb);
        return missing;
    }

    @Test
    void stablePairIsNotDriftedAndExitsZeroEvenWithFailOnDrift() throws Exception {
        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "current.csv", "--fail-on-drift");

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(0);
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).contains("column", "kind", "n_ref", "n_cur", "ks_D", "ks_p", "chi2", "psi", "kl");
        assertThat(lines.subList(1, 4)).allSatisfy(row -> assertThat(row).doesNotStartWith("*").endsWith("-"));
        assertThat(row(lines, "x")).contains("numeric", " " + (REF_ROWS - refMissingX) + " ", " " + refMissingX + " ");
        assertThat(row(lines, "segment, region")).contains("categorical");
        assertThat(lines.get(4)).startsWith("No dataset drift: 0 of 3 columns drifted");
    }

    @Test
    void shiftedPairMarksDriftedColumnsAndFailsOnDrift() throws Exception {
        CliProcess.Result plain = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "shifted.csv");
        CliProcess.Result failing = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "shifted.csv", "--fail-on-drift");

        assertThat(plain.exitCode()).as(plain.stderr()).isEqualTo(0);
        assertThat(failing.exitCode()).as(failing.stderr()).isEqualTo(1);
        assertThat(failing.stdout()).isEqualTo(plain.stdout());
        List<String> lines = plain.stdout().lines().toList();
        assertThat(row(lines, "x")).startsWith("*").contains("DRIFT: KS p=");
        assertThat(row(lines, "segment, region")).startsWith("*").contains("DRIFT: chi-square p=", "PSI");
        assertThat(row(lines, "y")).doesNotStartWith("*").endsWith("-");
        assertThat(lines.get(lines.size() - 1)).startsWith("DATASET DRIFT: 2 of 3 columns drifted");
        // aligned: every row of the table is as wide up to the reasons column as the header
        int reasonsAt = lines.get(0).indexOf("reasons");
        assertThat(lines.subList(1, 4)).allSatisfy(row -> assertThat(row.charAt(reasonsAt - 1)).isEqualTo(' '));
    }

    @Test
    void jsonHasTheDocumentedShapeAndTypes() throws Exception {
        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "shifted.csv", "--format", "json");

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(0);
        JsonNode root = new ObjectMapper().readTree(run.stdout());
        assertThat(fieldNames(root)).containsExactly("columns", "drifted_columns", "drift_share", "dataset_drift");
        assertThat(fieldNames(root.get("columns"))).containsExactly("x", "y", "segment, region");
        Set<String> keys = Set.of("kind", "n_reference", "n_current", "missing_reference", "missing_current", "ks_statistic",
                "ks_pvalue", "psi", "kl", "chi2_statistic", "chi2_pvalue", "drifted", "reasons");
        for (JsonNode column : root.get("columns")) {
            assertThat(fieldNames(column)).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(column.get("kind").isTextual()).isTrue();
            for (String count : List.of("n_reference", "n_current", "missing_reference", "missing_current")) {
                assertThat(column.get(count).isIntegralNumber()).as(count).isTrue();
            }
            assertThat(column.get("psi").isDouble()).isTrue();
            assertThat(column.get("kl").isDouble()).isTrue();
            assertThat(column.get("drifted").isBoolean()).isTrue();
            assertThat(column.get("reasons").isArray()).isTrue();
            assertThat(column.get("reasons").size() > 0).isEqualTo(column.get("drifted").asBoolean());
        }
        JsonNode x = root.get("columns").get("x");
        assertThat(x.get("kind").asText()).isEqualTo("numeric");
        assertThat(x.get("n_reference").asLong()).isEqualTo(REF_ROWS - refMissingX);
        assertThat(x.get("n_current").asLong()).isEqualTo(CUR_ROWS - shiftedMissingX);
        assertThat(x.get("missing_reference").asLong()).isEqualTo(refMissingX);
        assertThat(x.get("missing_current").asLong()).isEqualTo(shiftedMissingX);
        assertThat(x.get("ks_statistic").isDouble()).isTrue();
        assertThat(x.get("ks_statistic").asDouble()).isBetween(0.3, 0.5); // a 1-sd shift of a normal: D near 0.38
        assertThat(x.get("ks_pvalue").asDouble()).isLessThan(1e-20);
        assertThat(x.get("chi2_statistic").isNull()).isTrue();
        assertThat(x.get("chi2_pvalue").isNull()).isTrue();
        assertThat(x.get("drifted").asBoolean()).isTrue();

        JsonNode segment = root.get("columns").get("segment, region");
        assertThat(segment.get("kind").asText()).isEqualTo("categorical");
        assertThat(segment.get("ks_statistic").isNull()).isTrue();
        assertThat(segment.get("ks_pvalue").isNull()).isTrue();
        assertThat(segment.get("chi2_statistic").isDouble()).isTrue();
        assertThat(segment.get("chi2_pvalue").asDouble()).isLessThan(1e-20);
        assertThat(segment.get("psi").asDouble()).isGreaterThanOrEqualTo(0.25);
        assertThat(segment.get("missing_current").asLong()).isZero();

        JsonNode y = root.get("columns").get("y");
        assertThat(y.get("drifted").asBoolean()).isFalse();
        assertThat(y.get("psi").asDouble()).isLessThan(0.1);

        assertThat(root.get("drifted_columns")).extracting(JsonNode::asText).containsExactly("x", "segment, region");
        assertThat(root.get("drift_share").isDouble()).isTrue();
        assertThat(root.get("drift_share").asDouble()).isEqualTo(2.0 / 3.0);
        assertThat(root.get("dataset_drift").asBoolean()).isTrue();
    }

    @Test
    void avroInferenceEventsCompareLikeCsv() throws Exception {
        writeEvents(dir.resolve("ref-events.avro"), 1500, 10, 0.0);
        writeEvents(dir.resolve("cur-events.avro"), 1200, 11, 2.0);

        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "ref-events.avro", "--current", "cur-events.avro", "--format", "json");

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(0);
        JsonNode columns = new ObjectMapper().readTree(run.stdout()).get("columns");
        assertThat(fieldNames(columns)).containsExactlyInAnyOrder("amount", "country", "__prediction__");
        assertThat(columns.get("amount").get("drifted").asBoolean()).isTrue();
        assertThat(columns.get("amount").get("missing_reference").asLong()).isEqualTo(1500 / 10);
        assertThat(columns.get("country").get("kind").asText()).isEqualTo("categorical");
        assertThat(columns.get("country").get("drifted").asBoolean()).isFalse();
        assertThat(columns.get("__prediction__").get("n_reference").asLong()).isEqualTo(1500);
    }

    /** amount ~ N(shift, 1) (null in every tenth event), country uniform over de/fr/it, prediction ~ U(0, 1). */
    private static void writeEvents(Path file, int n, long seed, double shift) throws IOException {
        Random r = new Random(seed);
        try (DataFileWriter<InferenceEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(InferenceEvent.class))) {
            w.create(InferenceEvent.getClassSchema(), file.toFile());
            for (int i = 0; i < n; i++) {
                Map<String, Object> features = new HashMap<>();
                features.put("amount", i % 10 == 0 ? null : r.nextGaussian() + shift);
                features.put("country", List.of("de", "fr", "it").get(r.nextInt(3)));
                w.append(InferenceEvent.newBuilder()
                        .setEventId("e" + i)
                        .setModelName("fraud")
                        .setModelVersion("v1")
                        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                        .setFeatures(features)
                        .setPrediction(r.nextDouble())
                        .build());
            }
        }
    }

    @Test
    void missingFileIsOneLineNamingItWithExitTwo() throws Exception {
        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "no-such.csv");

        assertBadInput(run, "no-such.csv", "does not exist");
    }

    @Test
    void fileWithoutHeaderIsOneLineWithExitTwo() throws Exception {
        Files.writeString(dir.resolve("empty.csv"), "");

        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "empty.csv", "--current", "current.csv");

        assertBadInput(run, "empty.csv", "header");
    }

    @Test
    void differentColumnSetsNameTheColumnWithExitTwo() throws Exception {
        Files.writeString(dir.resolve("other-columns.csv"), "x,y,z\n1,2,3\n4,5,6\n");

        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "other-columns.csv");

        assertBadInput(run, "other-columns.csv", "'segment, region'");
    }

    @Test
    void columnWithoutValuesOnOneSideNamesItWithExitTwo() throws Exception {
        Files.writeString(dir.resolve("no-x.csv"), "x,y,\"segment, region\"\n,1.5,a\n,2.5,b\n  ,3.5,c\n");

        CliProcess.Result current = CliProcess.run(dir, "compare", "--reference", "reference.csv", "--current", "no-x.csv");
        CliProcess.Result reference = CliProcess.run(dir, "compare", "--reference", "no-x.csv", "--current", "current.csv");

        assertBadInput(current, "no-x.csv", "column 'x'");
        assertThat(current.stderr()).contains("no values");
        assertBadInput(reference, "no-x.csv", "column 'x'");
    }

    @Test
    void raggedRowNamesTheLineWithExitTwo() throws Exception {
        Files.writeString(dir.resolve("ragged.csv"), "x,y,\"segment, region\"\n1,2,a\n3,4\n");

        CliProcess.Result run = CliProcess.run(dir, "compare", "--reference", "ragged.csv", "--current", "current.csv");

        assertBadInput(run, "ragged.csv", "line 3");
    }

    private static void assertBadInput(CliProcess.Result run, String file, String detail) {
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).contains(file, detail).doesNotContain("Exception", "\tat ");
    }

    private static String row(List<String> lines, String column) {
        return lines.stream().filter(l -> l.substring(3).startsWith(column + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + column + " in\n" + String.join("\n", lines)));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
