package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroTableReaderTest {
    @TempDir
    Path dir;

    @Test
    void featuresBecomeColumnsAndThePredictionItsOwnColumn() throws IOException {
        Path file = dir.resolve("events.bin"); // recognised by content, not by name
        write(file, List.of(
                event("e1", Map.of("amount", 10.0, "country", "de"), 0.9),
                event("e2", map("amount", null, "country", "fr"), null),
                event("e3", Map.of("amount", Double.NaN, "country", "de", "age", 30.0), 0.1),
                event("e4", Map.of("amount", 12.5, "country", 7.0), 0.4)));

        Table t = TableReader.read(file);

        assertThat(t.rows()).isEqualTo(4);
        assertThat(t.columnNames()).containsExactlyInAnyOrder("amount", "country", "age", AvroTableReader.PREDICTION_COLUMN);
        NumericColumn amount = (NumericColumn) t.column("amount");
        assertThat(amount.values()).containsExactly(10.0, 12.5);
        assertThat(amount.missing()).isEqualTo(2);
        NumericColumn age = (NumericColumn) t.column("age");
        assertThat(age.values()).containsExactly(30.0);
        assertThat(age.missing()).isEqualTo(3); // absent from three events
        CategoricalColumn country = (CategoricalColumn) t.column("country");
        assertThat(country.values()).containsExactlyInAnyOrder("de", "fr", "de", "7");
        NumericColumn prediction = (NumericColumn) t.column(AvroTableReader.PREDICTION_COLUMN);
        assertThat(prediction.values()).containsExactly(0.9, 0.1, 0.4);
        assertThat(prediction.missing()).isEqualTo(1);
        assertThat(t.sha256()).isEqualTo(TableReader.sha256Of(file)).hasSize(64);
    }

    @Test
    void eventsWithoutPredictionsHaveNoPredictionColumn() throws IOException {
        Path file = dir.resolve("events.avro");
        write(file, List.of(event("e1", Map.of("x", 1.0), null)));

        assertThat(TableReader.read(file).columnNames()).containsExactly("x");
    }

    @Test
    void readsFilesWrittenWithTheVersionOneSchema() throws IOException {
        Schema v1 = new Schema.Parser().parse(Path.of("schemas/history/InferenceEvent-v1.avsc").toFile());
        Path file = dir.resolve("v1.avro");
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(v1))) {
            w.create(v1, file.toFile());
            GenericRecord r = new GenericData.Record(v1);
            r.put("event_id", "old-1");
            r.put("model_name", "m");
            r.put("model_version", "1");
            r.put("event_time", 1_700_000_000_000L);
            r.put("features", Map.of("x", 3.0));
            r.put("prediction", 0.5);
            w.append(r);
        }

        Table t = TableReader.read(file);

        assertThat(((NumericColumn) t.column("x")).values()).containsExactly(3.0);
        assertThat(((NumericColumn) t.column(AvroTableReader.PREDICTION_COLUMN)).values()).containsExactly(0.5);
    }

    @Test
    void forcedKindsAndBadFiles() throws IOException {
        Path file = dir.resolve("events.avro");
        write(file, List.of(event("e1", Map.of("x", 1.0, "c", "a"), null)));

        assertThat(TableReader.read(file, Map.of("x", FeatureKind.CATEGORICAL)).column("x").kind()).isEqualTo(FeatureKind.CATEGORICAL);
        assertThatThrownBy(() -> TableReader.read(file, Map.of("c", FeatureKind.NUMERIC)))
                .isInstanceOf(InputException.class).hasMessageContaining("column 'c'").hasMessageContaining("'a'");
        Path truncated = dir.resolve("truncated.avro");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> TableReader.read(truncated))
                .isInstanceOf(InputException.class).hasMessageContaining("truncated.avro").hasMessageContaining("Avro");
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static InferenceEvent event(String id, Map<String, Object> features, Double prediction) {
        return InferenceEvent.newBuilder()
                .setEventId(id)
                .setModelName("m")
                .setModelVersion("1")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setFeatures(new HashMap<>(features))
                .setPrediction(prediction)
                .build();
    }

    private static void write(Path file, List<InferenceEvent> events) throws IOException {
        try (DataFileWriter<InferenceEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(InferenceEvent.class))) {
            w.create(InferenceEvent.getClassSchema(), file.toFile());
            for (InferenceEvent e : events) {
                w.append(e);
            }
        }
    }
}
