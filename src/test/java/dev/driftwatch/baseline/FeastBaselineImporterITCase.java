package dev.driftwatch.baseline;

import com.sun.net.httpserver.HttpServer;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.cli.Main;
import dev.driftwatch.profile.DriftTest;
import dev.driftwatch.profile.DriftTests;
import dev.driftwatch.profile.DriftThresholds;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.TestOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `baseline import-feast` against a real HTTP server on loopback that answers like Feast's registry REST server
 * (sdk/python/feast/api/registry/rest/monitoring.py, GET /api/v1/monitoring/metrics/baseline): a JSON list of the
 * monitoring table's rows, each with MetricsCalculator's fields; errors as FastAPI's {"detail": ...}.
 */
class FeastBaselineImporterITCase {
    /** np.histogram(values, bins=5) of a numeric feature: 6 edges, 5 counts; 4 of 104 rows null. */
    static final String BASELINE_ROWS = """
            [
              {"project_id": "rides", "feature_view_name": "driver_stats", "feature_name": "conv_rate",
               "metric_date": "2026-03-01", "granularity": "daily", "data_source_type": "batch",
               "computed_at": "2026-03-01T06:00:00.250000+00:00", "is_baseline": true, "feature_type": "numeric",
               "row_count": 104, "null_count": 4, "null_rate": 0.038461538461538464,
               "mean": 0.452, "stddev": 0.21, "min_val": 0.0, "max_val": 1.0,
               "p50": 0.45, "p75": 0.6, "p90": 0.74, "p95": 0.8, "p99": 0.95,
               "histogram": {"bins": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], "counts": [10, 30, 40, 15, 5], "bin_width": 0.2}},
              {"project_id": "rides", "feature_view_name": "driver_stats", "feature_name": "city",
               "metric_date": "2026-03-01", "granularity": "daily", "data_source_type": "batch",
               "computed_at": "2026-03-01T06:00:00.250000+00:00", "is_baseline": true, "feature_type": "categorical",
               "row_count": 104, "null_count": 0, "null_rate": 0.0,
               "mean": null, "stddev": null, "min_val": null, "max_val": null,
               "p50": null, "p75": null, "p90": null, "p95": null, "p99": null,
               "histogram": {"values": [{"value": "paris", "count": 54}, {"value": "rome", "count": 30}],
                             "other_count": 20, "unique_count": 7}}
            ]
            """;

    @TempDir
    Path dir;

    HttpServer server;
    final Map<String, String> lastQuery = new ConcurrentHashMap<>();
    volatile int status = 200;
    volatile String body = BASELINE_ROWS;

    @BeforeEach
    void startFeast() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/monitoring/metrics/baseline", exchange -> {
            lastQuery.put("query", exchange.getRequestURI().getRawQuery());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopFeast() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    record Run(int code, String out, String err) {}

    Run importFeast(String url) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"baseline", "import-feast", "--url", url, "--project", "rides",
                "--feature-view", "driver_stats", "--model", "eta", "--version", "v7", "--out", dir.toString(),
                "--timeout", "5"}, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void psiAgainstAnImportedBaselineIsPsiOnFeastsOwnBins() throws Exception {
        Run run = importFeast(url());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(lastQuery.get("query")).isEqualTo("project=rides&feature_view_name=driver_stats");
        List<FeatureBaseline> stored = BaselineStore.read(dir.resolve(BaselineStore.fileName("eta", "v7")));
        FeatureBaseline conv = stored.stream().filter(b -> b.getFeature().equals("conv_rate")).findFirst().orElseThrow();
        assertThat(conv.getKsSupport()).isEqualTo(KsSupport.UNAVAILABLE);
        assertThat(conv.getReferenceSample()).isEmpty();
        assertThat(conv.getCount()).isEqualTo(100);
        assertThat(conv.getMissingCount()).isEqualTo(4);

        // a window with values below, on and above Feast's edges
        double[] window = {-0.5, 0.0, 0.05, 0.1, 0.2, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.79,
                0.8, 0.9, 0.99, 1.0, 1.7, 0.2, 0.4, 0.6, 0.8};
        // by hand, as Feast defines its bins: [b_i, b_i+1), the last one closed; outside values in the outer bins
        double[] edges = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
        double[] baselineFractions = {0.10, 0.30, 0.40, 0.15, 0.05};
        long[] counts = new long[5];
        for (double v : window) {
            int bin = 0;
            for (int i = 1; i < edges.length - 1; i++) {
                if (v >= edges[i]) {
                    bin = i;
                }
            }
            counts[bin]++;
        }
        assertThat(counts).as("the hand binning itself").containsExactly(4, 6, 5, 4, 6);
        double expectedPsi = 0;
        double expectedKl = 0;
        for (int i = 0; i < 5; i++) {
            double p = Math.max((double) counts[i] / window.length, 1e-4);
            double b = baselineFractions[i];
            expectedPsi += (p - b) * Math.log(p / b);
            expectedKl += p * Math.log(p / b);
        }

        FeatureProfile profile = FeatureProfile.empty(new Baseline(conv), 1000, 1);
        for (double v : window) {
            profile.add(v);
        }
        List<TestOutcome> outcomes = DriftTests.evaluate(profile, DriftThresholds.DEFAULTS);
        assertThat(outcomes).extracting(TestOutcome::test).as("no KS on a baseline without training values")
                .doesNotContain(DriftTest.KS).contains(DriftTest.PSI, DriftTest.KL);
        assertThat(statistic(outcomes, DriftTest.PSI)).isCloseTo(expectedPsi, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(statistic(outcomes, DriftTest.KL)).isCloseTo(expectedKl, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void statsCategoriesAndLineageComeFromFeastsAnswer() throws Exception {
        Run run = importFeast(url() + "/");
        assertThat(run.code()).as(run.err()).isZero();
        List<FeatureBaseline> stored = BaselineStore.read(dir);
        assertThat(stored).extracting(FeatureBaseline::getFeature).containsExactly("conv_rate", "city");
        FeatureBaseline conv = stored.get(0);
        assertThat(conv.getStats().getMean()).isEqualTo(0.452);
        assertThat(conv.getStats().getP99()).isEqualTo(0.95);
        assertThat(conv.getMissingFraction()).isEqualTo(4 / 104.0);
        FeatureBaseline city = stored.get(1);
        assertThat(city.getKind()).isEqualTo(FeatureKind.CATEGORICAL);
        assertThat(city.getCategories()).containsExactly("paris", "rome");
        assertThat(city.getCategoryFractions()).containsExactly(54 / 104.0, 30 / 104.0, 20 / 104.0);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BASELINE_ROWS.getBytes(StandardCharsets.UTF_8)));
        for (FeatureBaseline b : stored) {
            assertThat(b.getModel()).isEqualTo("eta");
            assertThat(b.getVersion()).isEqualTo("v7");
            assertThat(b.getLineage().getDatasetSha256()).as("sha256 of Feast's answer").isEqualTo(sha);
            assertThat(b.getLineage().getRows()).isEqualTo(104);
            assertThat(b.getLineage().getCreatedAt()).isEqualTo(Instant.parse("2026-03-01T06:00:00.250Z"));
            assertThat(b.getLineage().getSource())
                    .isEqualTo(url() + "/api/v1/monitoring/metrics/baseline?project=rides&feature_view_name=driver_stats");
        }
    }

    @Test
    void feastErrorsAreOneLineAndExitTwo() throws Exception {
        status = 404;
        body = "{\"detail\": \"Project rides does not exist\"}";
        assertOneLineError(importFeast(url()), "answered 404", "Project rides does not exist");

        status = 500;
        body = "{\"detail\": \"Monitoring service failed:\\n offline store timeout\"}";
        assertOneLineError(importFeast(url()), "answered 500", "offline store timeout");

        status = 200;
        body = "<html>not json";
        assertOneLineError(importFeast(url()), "is not JSON");

        body = "[]";
        assertOneLineError(importFeast(url()), "no baseline for feature view 'driver_stats'");

        body = BASELINE_ROWS.replace("\"counts\": [10, 30, 40, 15, 5]", "\"counts\": [10, 30]");
        assertOneLineError(importFeast(url()), "feature 'conv_rate'", "bins");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertOneLineError(importFeast("http://127.0.0.1:" + closedPort), "cannot reach the Feast registry");
        assertThat(dir.toFile().list()).as("nothing written on an error").isNullOrEmpty();
    }

    static void assertOneLineError(Run run, String... fragments) {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().filter(l -> !l.isBlank()).toList()).singleElement()
                .satisfies(line -> assertThat(line).startsWith("driftwatch baseline import-feast: ").contains(fragments));
    }

    static double statistic(List<TestOutcome> outcomes, DriftTest test) {
        return outcomes.stream().filter(o -> o.test() == test).findFirst().orElseThrow().statistic();
    }
}
