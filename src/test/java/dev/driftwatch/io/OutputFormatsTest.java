package dev.driftwatch.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.alert.AlertPolicy;
import dev.driftwatch.alert.AlertState;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.testing.SampleResults;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The output topics' JSON is the one shape `alerts tail --json` has always printed (Avro field names, ISO-8601
 * times, non-finite numbers null, plain values in unions), one object per line, and reads back into the record;
 * a reader takes any of the three formats without being told which.
 */
class OutputFormatsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static DriftAlert alert() {
        AlertPolicy policy = new AlertPolicy(DriftConfig.Correction.BONFERRONI, 1, 0.5);
        List<FeatureDriftResult> w = SampleResults.window(1_767_574_800_000L, 1e-12, "f3", "f7");
        return policy.step(new AlertState(), policy.judge(w), w.get(0), Instant.parse("2026-01-05T01:00:00Z")).orElseThrow();
    }

    @Test
    void anAlertIsOneLineOfJsonInTheShapeAlertsTailPrints() throws Exception {
        byte[] bytes = AvroJson.write(alert());
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\n");
        JsonNode a = JSON.readTree(bytes);
        List<String> keys = new java.util.ArrayList<>();
        a.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("alert_id", "status", "kind", "severity", "model", "model_version",
                "baseline_version", "window_start", "window_end", "drift_share", "features", "lineage", "created_at", "summary");
        assertThat(a.get("status").asText()).isEqualTo("FIRING");
        assertThat(a.get("window_end").asText()).isEqualTo("2026-01-05T01:00:00Z");
        assertThat(a.get("features")).extracting(f -> f.get("feature").asText()).containsExactly("f3", "f7");
        JsonNode ks = a.get("features").get(0).get("tests").get(0);
        assertThat(ks.get("test").asText()).isEqualTo("KS");
        assertThat(ks.get("p_value").asDouble()).as("a union's value is plain, not {\"double\": ...}").isEqualTo(1e-12);
        assertThat(a.get("features").get(0).get("tests").get(1).get("p_value").isNull()).isTrue();
        assertThat(a.get("lineage").get("created_at").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(a.get("lineage").get("rows").asLong()).isEqualTo(10);
    }

    @Test
    void jsonReadsBackIntoTheSameRecordAndNonFiniteNumbersAreNull() throws Exception {
        DriftAlert a = alert();
        assertThat(AvroJson.<DriftAlert>read(AvroJson.write(a), DriftAlert.getClassSchema())).isEqualTo(a);

        FeatureDriftResult r = SampleResults.result("f1", 1_767_574_800_000L, 0.3, 0.02);
        r.setP50(Double.NaN);
        r.getTests().get(0).setStatistic(Double.POSITIVE_INFINITY);
        JsonNode json = JSON.readTree(AvroJson.write(r));
        assertThat(json.get("p50").isNull()).isTrue();
        assertThat(json.get("tests").get(0).get("statistic").isNull()).isTrue();
        FeatureDriftResult back = AvroJson.read(AvroJson.write(r), FeatureDriftResult.getClassSchema());
        assertThat(back.getP50()).isNull();
        assertThat(back.getTests().get(0).getStatistic()).isNaN();
        assertThat(back.getWindowEnd()).isEqualTo(r.getWindowEnd());
    }

    @Test
    void jsonThatDoesNotFitSaysWhere() {
        byte[] bad = "{\"alert_id\": \"x\", \"status\": \"MAYBE\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AvroJson.read(bad, DriftAlert.getClassSchema()))
                .isInstanceOf(IOException.class).hasMessage("/status: expected one of [FIRING, RESOLVED], got \"MAYBE\"");
    }

    @Test
    void theReaderTellsTheThreeFormatsApartByTheirFirstByte() throws Exception {
        DriftAlert a = alert();
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        framed.write(ByteBuffer.allocate(5).put((byte) 0).putInt(7).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(framed, null);
        new SpecificDatumWriter<>(DriftAlert.class).write(a, enc);
        enc.flush();

        OutputRecordReader<DriftAlert> withRegistry = new OutputRecordReader<>(DriftAlert.class, id -> DriftAlert.getClassSchema());
        assertThat(withRegistry.read(AvroBytes.singleObject(a))).isEqualTo(a);
        assertThat(withRegistry.read(AvroJson.write(a))).isEqualTo(a);
        assertThat(withRegistry.read(framed.toByteArray())).isEqualTo(a);

        OutputRecordReader<DriftAlert> without = new OutputRecordReader<>(DriftAlert.class, null);
        assertThatThrownBy(() -> without.read(framed.toByteArray()))
                .hasMessage("in the Schema Registry format (schema id 7): give the registry's URL to read it");
        assertThatThrownBy(() -> without.read("FIRING m".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("neither single-object Avro");
    }
}
