package dev.driftwatch.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.AlertKind;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.testing.KafkaTestBroker;
import dev.driftwatch.window.ScoringWindowEvaluator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay and shadow scoring inside the job, on a real broker and MiniCluster: events logged with the true model's
 * predictions show no skew; events whose logged prediction was computed on a perturbed feature transform (the
 * classic training-serving skew) fire a SKEW alert naming the model; a shadow model with other weights shows its
 * disagreement in the metrics.
 */
class ScoringInJobITCase {
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final long SKEW_FROM = T0 + Duration.ofMinutes(30).toMillis();
    static final long END = T0 + Duration.ofMinutes(60).toMillis();
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .build());

    @TempDir
    static Path tmp;
    static Path mlp;
    static Path candidate;
    static Path baselines;

    @BeforeAll
    static void modelsAndBaselines() throws Exception {
        mlp = resource("handbook_mlp.onnx");
        candidate = resource("logistic_regression.onnx");
        // the training set's score column is the model's own output, as a training pipeline would log it
        int n = 4000;
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = toFloat(SyntheticTraffic.row(21, i));
        }
        float[] scores = score(mlp, rows);
        StringBuilder csv = new StringBuilder("f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,score\n");
        for (int i = 0; i < n; i++) {
            for (float v : rows[i]) {
                csv.append(v).append(',');
            }
            csv.append(scores[i]).append('\n');
        }
        Path training = tmp.resolve("training.csv");
        Files.writeString(training, csv);
        baselines = tmp.resolve("baselines");
        TrainingBaselines.build(training, "fraud", "v1", "score", baselines);
    }

    static Path resource(String name) throws Exception {
        Path p = tmp.resolve(name);
        try (var in = ScoringInJobITCase.class.getResourceAsStream("/models/" + name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /** The model's output for each row, computed by ONNX Runtime directly (what production logged). */
    static float[] score(Path model, float[][] rows) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, rows);
             OrtSession.Result r = s.run(Map.of("features", input))) {
            Object out = r.get(0).getValue();
            float[] scores = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                scores[i] = out instanceof float[][] m ? m[i][m[i].length - 1] : ((float[]) out)[i];
            }
            return scores;
        }
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void replayFindsTheSkewOfAPerturbedServingTransformAndTheShadowsDisagreementShows() throws Exception {
        String topic = "scored-events";
        KAFKA.createTopic(topic, 2);
        SyntheticTraffic traffic = new SyntheticTraffic("fraud", "v1", 77, List.of());
        List<InferenceEvent> events = new ArrayList<>();
        for (long t = T0, i = 0; t < END; t += 500, i++) {
            events.add(traffic.event(i, t));
        }
        float[][] served = new float[events.size()][];
        for (int i = 0; i < served.length; i++) {
            InferenceEvent e = events.get(i);
            float[] x = new float[10];
            for (int j = 0; j < 10; j++) {
                x[j] = (float) (double) (Double) e.getFeatures().get("f" + j);
                // the serving path's bug from SKEW_FROM on: f3 arrives unstandardised
                if (j == 3 && e.getEventTime().toEpochMilli() >= SKEW_FROM) {
                    x[j] = x[j] * 4 + 10;
                }
            }
            // the features stay as logged in the event; only the served prediction used the bad transform
            served[i] = x;
            for (int j = 0; j < 10; j++) {
                e.getFeatures().put("f" + j, (double) (j == 3 ? (float) (double) (Double) e.getFeatures().get("f3") : x[j]));
            }
        }
        float[] logged = score(mlp, served);
        List<byte[]> p0 = new ArrayList<>();
        List<byte[]> p1 = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            events.get(i).setPrediction((double) logged[i]);
            (i % 2 == 0 ? p0 : p1).add(AvroBytes.singleObject(events.get(i)));
        }
        KAFKA.send(topic, 0, p0);
        KAFKA.send(topic, 1, p1);

        String mlpSha = sha256(mlp);
        String candidateSha = sha256(candidate);
        DriftConfig config = DriftConfig.fromMap(Map.of(
                "kafka", Map.of("bootstrap-servers", KAFKA.bootstrapServers(), "events-topic", topic,
                        "alerts-topic", "scoring-alerts", "results-topic", "scoring-results",
                        "dead-letter-topic", "scoring-dlq", "group-id", "scoring"),
                "window", Map.of("size", "10m", "slide", "2m", "out-of-orderness", "5s"),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "500ms"),
                "scoring", Map.of("models", List.of(
                        // CUDA asked for: on a machine without a GPU the job falls back to CPU and runs
                        Map.of("model", "fraud", "path", mlp.toString(), "sha256", mlpSha, "role", "replay",
                                "output-name", "prediction", "provider", "cuda"),
                        Map.of("model", "fraud", "path", candidate.toString(), "sha256", candidateSha, "role", "shadow",
                                "shadow-version", "v2-rc1", "output-name", "probability", "classifier", true,
                                // a candidate on four of the inputs, with its own weights
                                "feature-order", List.of("f0", "f1", "f2", "f3"))))));
        for (String t : List.of("scoring-alerts", "scoring-results", "scoring-dlq")) {
            KAFKA.createTopic(t, 1);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DriftJob.configureEnvironment(env, config);
        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopics(topic).setGroupId("scoring")
                .setStartingOffsets(OffsetsInitializer.earliest()).setBounded(OffsetsInitializer.latest())
                .setDeserializer(new EventDeserializer(true)).build();
        DriftJob.defineWorkflow(env, config, source, DriftJob.kafkaSinks(config));
        JobID job = env.execute("scoring").getJobID();

        List<FeatureDriftResult> skew = KAFKA.readAll("scoring-results", true).stream()
                .map(r -> decode(r.value(), FeatureDriftResult.class))
                .filter(r -> r.getFeature().equals(ScoringWindowEvaluator.SKEW_FEATURE)).toList();
        assertThat(skew).isNotEmpty();
        for (FeatureDriftResult r : skew) {
            double rate = r.getTests().get(0).getStatistic();
            if (r.getWindowEnd().toEpochMilli() <= SKEW_FROM) {
                assertThat(rate).as("logged by the true model: no skew, window " + r.getWindowEnd()).isZero();
            } else if (r.getWindowStart().toEpochMilli() >= SKEW_FROM) {
                assertThat(rate).as("perturbed transform, window " + r.getWindowEnd()).isGreaterThan(0.5);
            }
        }

        List<DriftAlert> alerts = KAFKA.readAll("scoring-alerts", true).stream()
                .map(r -> decode(r.value(), DriftAlert.class)).toList();
        List<DriftAlert> skewAlerts = alerts.stream().filter(a -> a.getKind() == AlertKind.SKEW).toList();
        assertThat(skewAlerts).hasSize(1);
        DriftAlert fire = skewAlerts.get(0);
        assertThat(fire.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(fire.getModel()).isEqualTo("fraud");
        assertThat(fire.getModelVersion()).isEqualTo("v1");
        assertThat(fire.getWindowEnd().toEpochMilli()).isGreaterThan(SKEW_FROM)
                .isLessThanOrEqualTo(SKEW_FROM + Duration.ofMinutes(14).toMillis());
        assertThat(fire.getSummary()).contains("replayed scores differ");
        // the logged features are fine, so no input feature drifts: at most the served prediction does
        assertThat(alerts).filteredOn(a -> a.getKind() == AlertKind.DRIFT && a.getModelVersion().equals("v1"))
                .allSatisfy(a -> assertThat(a.getFeatures()).extracting(f -> f.getFeature())
                        .containsOnly(dev.driftwatch.baseline.Baseline.PREDICTION_FEATURE));

        List<FeatureDriftResult> shadowResults = KAFKA.readAll("scoring-results", true).stream()
                .map(r -> decode(r.value(), FeatureDriftResult.class))
                .filter(r -> r.getModelVersion().equals("v2-rc1")).toList();
        assertThat(shadowResults).as("the candidate's predictions are tested against the prediction baseline")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.getBaselineVersion()).isEqualTo("v1"));
        // the candidate (other weights) disagrees with production: mean |shadow - logged| well above zero
        double meanAbsDifference = gauge(job, "shadow_mean_abs_difference");
        assertThat(meanAbsDifference).isGreaterThan(0.01);
        assertThat(gauge(job, "skew_rate")).isGreaterThan(0.5);
        assertThat(providers(job, "scoring fraud replay"))
                .as("CUDA was asked for; the metric names the provider that runs").containsOnly(expectedProvider());
    }

    /** CUDA where it can start (a GPU machine), else the CPU fallback. */
    static String expectedProvider() {
        return new java.io.File("/dev/nvidia0").exists() ? "CUDA" : "CPU";
    }

    static java.util.Set<String> providers(JobID job, String operator) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (var group : REPORTER.getMetricsByGroup().entrySet()) {
            Map<String, String> vars = group.getKey().getAllVariables();
            if (job.toString().equals(vars.get("<job_id>")) && operator.equals(vars.get("<operator_name>"))
                    && vars.containsKey("<provider>") && group.getValue().containsKey("scoring_provider")) {
                out.add(vars.get("<provider>"));
            }
        }
        return out;
    }

    static double gauge(JobID job, String name) {
        for (var group : REPORTER.getMetricsByGroup().entrySet()) {
            Map<String, String> vars = group.getKey().getAllVariables();
            if (job.toString().equals(vars.get("<job_id>")) && "fraud".equals(vars.get("<model>"))
                    && group.getValue().get(name) instanceof Gauge<?> g && g.getValue() instanceof Double d
                    && !d.isNaN()) {
                return d;
            }
        }
        StringBuilder seen = new StringBuilder();
        for (var group : REPORTER.getMetricsByGroup().entrySet()) {
            if (group.getKey().getAllVariables().containsKey("<model>")) {
                seen.append(group.getKey().getAllVariables().get("<model>")).append(' ')
                        .append(group.getValue().keySet()).append('\n');
            }
        }
        throw new AssertionError("no gauge " + name + " for model fraud among\n" + seen);
    }

    static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return type.cast(type.getMethod("fromByteBuffer", ByteBuffer.class).invoke(null, ByteBuffer.wrap(bytes)));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
