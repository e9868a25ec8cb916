package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.Severity;
import dev.driftwatch.avro.TestResult;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a drift alert into the Airflow request that starts the retraining DAG: which alerts qualify, the
 * idempotent {@code dag_run_id}, the {@code logical_date}, the {@code conf} the DAG retrains from and a
 * one-line {@code note}, shaped for Airflow 2 ({@code /api/v1}, body DAGRun) or Airflow 3 ({@code /api/v2},
 * body TriggerDAGRunPostBody). Everything is derived from the alert alone, so a retry, a restart from a
 * checkpoint or a replay of the alert topic sends the same request, and Airflow answers 409 instead of
 * starting a second run.
 */
public final class AirflowDagTrigger {

    /** Prefix of every run id this trigger makes, so runs started by driftwatch are easy to find in Airflow. */
    public static final String RUN_ID_PREFIX = "driftwatch__";

    /** Airflow's note column holds 1000 characters. */
    static final int MAX_NOTE_LENGTH = 1000;

    // Airflow's run id pattern (RUN_ID_REGEX in 2.x; 3.x accepts more), kept conservative.
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,200}");
    private static final DateTimeFormatter MICROS_UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS_UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final ObjectMapper json = new ObjectMapper();
    private final AirflowTriggerConfig config;

    public AirflowDagTrigger(AirflowTriggerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Whether the alert should start the DAG under the configured {@code trigger-on}. */
    public boolean qualifies(DriftAlert alert) {
        return switch (config.triggerOn()) {
            case FIRING -> alert.getStatus() == AlertStatus.FIRING;
            case FIRING_AND_RESOLVED -> true;
            case DATASET_DRIFT_ONLY -> alert.getStatus() == AlertStatus.FIRING
                    && alert.getSeverity() == Severity.CRITICAL;
        };
    }

    /** {@code {base}/api/v1|v2/dags/{dag_id}/dagRuns}. */
    public URI dagRunsUri() {
        return URI.create(config.baseUrl() + "/api/" + config.apiVersion().pathVersion() + "/dags/"
                + URLEncoder.encode(config.dagId(), StandardCharsets.UTF_8).replace("+", "%20") + "/dagRuns");
    }

    /** {@code {base}/auth/token}, where Airflow 3 hands out access tokens. */
    public URI tokenUri() {
        return URI.create(config.baseUrl() + "/auth/token");
    }

    /** {@code driftwatch__<alert_id>}; an alert id with characters Airflow does not take is hashed instead. */
    public static String dagRunId(String alertId) {
        String id = SAFE_ID.matcher(alertId).matches() ? alertId : sha256Hex(alertId).substring(0, 32);
        return RUN_ID_PREFIX + id;
    }

    /**
     * The logical date sent for the alert: its window end plus a sub-second offset (0 to 999999 microseconds)
     * taken from the alert id's hash. The same alert always maps to the same instant; two models whose windows
     * end together still get different dates, because Airflow 2 refuses a second run of a DAG at the same
     * logical date (409) and that must not swallow another model's trigger.
     */
    public static Instant logicalDate(DriftAlert alert) {
        byte[] hash = sha256(alert.getAlertId());
        long micros = Integer.toUnsignedLong(ByteBuffer.wrap(hash, 0, 4).getInt()) % 1_000_000L;
        return Instant.ofEpochMilli(alert.getWindowEnd().toEpochMilli()).plusNanos(micros * 1_000L);
    }

    /** The request to send for an alert that {@link #qualifies}; acceptedAtMillis starts its retry age. */
    public PendingTrigger build(DriftAlert alert, long acceptedAtMillis) {
        ObjectNode body = json.createObjectNode();
        body.put("dag_run_id", dagRunId(alert.getAlertId()));
        if (config.logicalDate() == AirflowTriggerConfig.LogicalDate.WINDOW_END) {
            body.put("logical_date", MICROS_UTC.format(logicalDate(alert)));
        } else {
            // Airflow 3 requires the key and accepts null; Airflow 2 takes null as "now".
            body.putNull("logical_date");
        }
        body.set("conf", conf(alert));
        body.put("note", note(alert));
        try {
            return new PendingTrigger(dagRunId(alert.getAlertId()), alert.getAlertId(), alert.getModel(),
                    json.writeValueAsString(body), acceptedAtMillis, 0);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the trigger of alert " + alert.getAlertId(), e);
        }
    }

    /** What the DAG needs to retrain: which model, which data window, what drifted and the baseline's lineage. */
    ObjectNode conf(DriftAlert alert) {
        ObjectNode conf = json.createObjectNode();
        conf.put("source", "driftwatch");
        conf.put("alert_id", alert.getAlertId());
        conf.put("status", alert.getStatus().name());
        conf.put("kind", alert.getKind().name());
        conf.put("severity", alert.getSeverity().name());
        conf.put("model", alert.getModel());
        conf.put("model_version", alert.getModelVersion());
        conf.put("baseline_version", alert.getBaselineVersion());
        ObjectNode window = conf.putObject("window");
        window.put("start", MILLIS_UTC.format(alert.getWindowStart()));
        window.put("end", MILLIS_UTC.format(alert.getWindowEnd()));
        putFinite(conf, "drift_share", alert.getDriftShare());
        ArrayNode features = conf.putArray("drifted_features");
        for (AlertFeature feature : alert.getFeatures()) {
            ObjectNode f = features.addObject();
            f.put("feature", feature.getFeature());
            ArrayNode tests = f.putArray("tests");
            for (TestResult test : feature.getTests()) {
                ObjectNode t = tests.addObject();
                t.put("test", test.getTest());
                putFinite(t, "statistic", test.getStatistic());
                if (test.getPValue() == null) {
                    t.putNull("p_value");
                } else {
                    putFinite(t, "p_value", test.getPValue());
                }
                putFinite(t, "threshold", test.getThreshold());
                t.put("drifted", test.getDrifted());
            }
        }
        BaselineLineage lineage = alert.getLineage();
        if (lineage == null) {
            conf.putNull("baseline_lineage");
        } else {
            ObjectNode l = conf.putObject("baseline_lineage");
            l.put("dataset_sha256", lineage.getDatasetSha256());
            l.put("rows", lineage.getRows());
            l.put("created_at", MILLIS_UTC.format(lineage.getCreatedAt()));
            l.put("source", lineage.getSource());
            l.put("code_version", lineage.getCodeVersion());
        }
        conf.put("alert_created_at", MILLIS_UTC.format(alert.getCreatedAt()));
        conf.put("summary", oneLine(alert.getSummary()));
        return conf;
    }

    /** One readable line for Airflow's run list: the alert's summary and its id. */
    static String note(DriftAlert alert) {
        String suffix = " [driftwatch alert " + alert.getAlertId() + "]";
        String summary = oneLine(alert.getSummary());
        if (summary.isEmpty()) {
            summary = alert.getStatus() + " " + alert.getModel() + " " + alert.getModelVersion();
        }
        int room = MAX_NOTE_LENGTH - suffix.length();
        if (summary.length() > room) {
            summary = summary.substring(0, Math.max(0, room - 1)) + "…";
        }
        return (summary + suffix).substring(0, Math.min(MAX_NOTE_LENGTH, summary.length() + suffix.length()));
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").trim();
    }

    // JSON has no NaN or Infinity; Airflow would reject the whole body, so such a statistic travels as null.
    private static void putFinite(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }
}
