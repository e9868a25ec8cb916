package dev.driftwatch.io;

import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroContainerReaderTest {
    static final int PER_BLOCK = 100;

    @TempDir
    Path dir;

    /** Three blocks of 100 events; returns the byte offset at which each block ends (after its sync marker). */
    private List<Long> writeThreeBlocks(Path file) throws IOException {
        List<Long> ends = new ArrayList<>();
        try (DataFileWriter<InferenceEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(InferenceEvent.class))) {
            w.create(InferenceEvent.getClassSchema(), file.toFile());
            for (int i = 0; i < 3 * PER_BLOCK; i++) {
                w.append(InferenceEvent.newBuilder().setEventId("e" + i).setModelName("m").setModelVersion("1")
                        .setEventTime(Instant.ofEpochMilli(i)).setFeatures(Map.of("x", (Object) (double) i)).setPrediction(null).build());
                if ((i + 1) % PER_BLOCK == 0) {
                    ends.add(w.sync());
                }
            }
        }
        return ends;
    }

    @Test
    void aContainerCutInsideABlockIsRefusedNamingWhereTheLastCompleteBlockEnds() throws IOException {
        Path file = dir.resolve("events.avro");
        List<Long> ends = writeThreeBlocks(file);
        Path cut = dir.resolve("cut.avro");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(file), (int) (ends.get(1) + 10)));

        assertThat(AvroContainerReader.readAll(file, InferenceEvent.class)).hasSize(3 * PER_BLOCK);
        assertThatThrownBy(() -> AvroContainerReader.readAll(cut, InferenceEvent.class))
                .isInstanceOf(InputException.class)
                .hasMessage(cut + ": is truncated: the Avro data stops inside a block; the last complete block ends at byte offset "
                        + ends.get(1) + " of " + (ends.get(1) + 10) + " (" + 2 * PER_BLOCK + " records before it)");
    }

    @Test
    void aContainerCutRightAfterABlockIsAShorterCompleteContainer() throws IOException {
        // Avro containers may be appended to: nothing in a file cut after a sync marker says more was meant to follow
        Path file = dir.resolve("events.avro");
        List<Long> ends = writeThreeBlocks(file);
        Path cut = dir.resolve("cut.avro");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(file), (int) (long) ends.get(0)));

        assertThat(AvroContainerReader.readAll(cut, InferenceEvent.class)).hasSize(PER_BLOCK);
    }
}
