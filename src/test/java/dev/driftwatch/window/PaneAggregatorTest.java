package dev.driftwatch.window;

import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.event.DeadLetterReason;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.testing.Baselines;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class PaneAggregatorTest {
    static final long PANE = 60_000;

    @TempDir
    static Path dir;
    static BaselineSource source;

    @BeforeAll
    static void baselines() {
        BaselineStore.write(dir, List.of(
                Baselines.numeric("m", "v1", "x", List.of(0.0), List.of(0.5, 0.5), List.of(-1.0, 1.0)),
                Baselines.categorical("m", "v1", "c", List.of("a", "b"), List.of(0.5, 0.4, 0.1)),
                Baselines.numeric("m", "v1", Baseline.PREDICTION_FEATURE, List.of(0.5), List.of(0.5, 0.5), List.of(0.2, 0.8))));
        source = new BaselineSource(dir.toString(), true);
    }

    static OneInputStreamOperatorTestHarness<DecodedRecord, PaneProfile> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new PaneAggregator(source, PANE, 100, 5));
    }

    static StreamRecord<DecodedRecord> event(String id, String model, String version, long ts, Object x, Object c, Double prediction) {
        Map<String, Object> f = new HashMap<>();
        f.put("x", x);
        f.put("c", c);
        InferenceEvent e = InferenceEvent.newBuilder().setEventId(id).setModelName(model).setModelVersion(version)
                .setEventTime(Instant.ofEpochMilli(ts)).setFeatures(f).setPrediction(prediction).build();
        return new StreamRecord<>(DecodedRecord.ok(e, "events", 0, ts), ts);
    }

    static Map<String, PaneProfile> byFeature(List<PaneProfile> panes) {
        return panes.stream().collect(Collectors.toMap(p -> p.feature + "@" + p.paneStart, Function.identity()));
    }

    @Test
    void countsEveryFeatureOfAPaneAndEmitsItWhenTheWatermarkPassesItsEnd() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(event("1", "m", "v1", 1_000, -0.5, "a", 0.1));
            h.processElement(event("2", "m", "v1", 2_000, 0.5, "b", 0.9));
            h.processElement(event("3", "m", "v1", 3_000, Double.NaN, "zzz", null));
            h.processElement(event("4", "m", "v1", 61_000, 2.0, "a", 0.7));
            h.processWatermark(PANE - 2);
            assertThat(h.extractOutputValues()).as("the pane is not complete yet").isEmpty();
            h.processWatermark(PANE - 1);
            Map<String, PaneProfile> out = byFeature(h.extractOutputValues());
            assertThat(out).containsOnlyKeys("x@0", "c@0", Baseline.PREDICTION_FEATURE + "@0");
            PaneProfile x = out.get("x@0");
            assertThat(x.cells).containsExactly(1, 1);
            assertThat(x.count).isEqualTo(2);
            assertThat(x.missing).as("NaN counts as missing").isEqualTo(1);
            assertThat(x.sample.size()).isEqualTo(2);
            assertThat(x.paneEnd).isEqualTo(PANE);
            assertThat(out.get("c@0").cells).as("a, b, other").containsExactly(1, 1, 1);
            PaneProfile p = out.get(Baseline.PREDICTION_FEATURE + "@0");
            assertThat(p.count).isEqualTo(2);
            assertThat(p.missing).isEqualTo(1);
            assertThat(h.getOutput()).anyMatch(o -> o instanceof StreamRecord<?> r && r.getTimestamp() == PANE - 1);
        }
    }

    @Test
    void lateInvalidAndUndecodableRecordsAreDeadLetteredOnceWithTheirReason() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processWatermark(PANE * 3 - 1);
            h.processElement(event("late", "m", "v1", 10_000, 1.0, "a", 0.5));
            h.processElement(new StreamRecord<>(DecodedRecord.failed(DeadLetterReason.UNDECODABLE, "garbage",
                    null, new byte[] {1, 2, 3}, "events", 1, 77), 0));
            Map<String, Object> many = new HashMap<>();
            for (int i = 0; i < 6; i++) {
                many.put("f" + i, 1.0);
            }
            InferenceEvent wide = InferenceEvent.newBuilder().setEventId("wide").setModelName("m").setModelVersion("v1")
                    .setEventTime(Instant.ofEpochMilli(PANE * 5)).setFeatures(many).build();
            h.processElement(new StreamRecord<>(DecodedRecord.ok(wide, "events", 0, 78), PANE * 5));
            h.processElement(event("nomodel", "unknown-model", "v1", PANE * 5, 1.0, "a", 0.5));
            List<DeadLetter> dl = h.getSideOutput(PaneAggregator.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dl).extracting(DeadLetter::getReason).containsExactly("LATE", "UNDECODABLE", "TOO_MANY_FEATURES");
            assertThat(dl.get(1).getOffset()).isEqualTo(77);
            assertThat(dl.get(1).getPartition()).isEqualTo(1);
            assertThat(dl.get(1).getRawValue().array()).containsExactly(1, 2, 3);
            assertThat(dl.get(0).getRawValue()).as("a late event is kept whole").isNotNull();
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).as("an unknown model is counted, not profiled").isEmpty();
        }
    }

    @Test
    void openPanesSurviveACheckpointAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(event("1", "m", "v1", 1_000, -0.5, "a", 0.1));
            h.processElement(event("2", "m", "v1", 2_000, 0.5, "b", 0.9));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(event("3", "m", "v1", 3_000, 0.7, "b", 0.9));
            h.processWatermark(PANE - 1);
            PaneProfile x = byFeature(h.extractOutputValues()).get("x@0");
            assertThat(x.count).isEqualTo(3);
            assertThat(x.cells).containsExactly(1, 2);
            assertThat(x.sample.size()).isEqualTo(3);
        }
    }

    @Test
    void theSampleDoesNotDependOnArrivalOrder() throws Exception {
        List<StreamRecord<DecodedRecord>> events = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(event("e" + i, "m", "v1", 1000 + i, (double) i, "a", 0.5));
        }
        double[] forward;
        double[] backward;
        try (var h = harness()) {
            h.open();
            for (var e : events) {
                h.processElement(e);
            }
            h.processWatermark(PANE - 1);
            forward = byFeature(h.extractOutputValues()).get("x@0").sample.values();
        }
        try (var h = harness()) {
            h.open();
            for (int i = events.size() - 1; i >= 0; i--) {
                h.processElement(events.get(i));
            }
            h.processWatermark(PANE - 1);
            backward = byFeature(h.extractOutputValues()).get("x@0").sample.values();
        }
        java.util.Arrays.sort(forward);
        java.util.Arrays.sort(backward);
        assertThat(forward).hasSize(100).containsExactly(backward);
    }

    @Test
    void eventsDecodedIntoFlatFeatureMapsCountExactlyAsPlainMapsDo() throws Exception {
        java.util.Random random = new java.util.Random(8);
        List<StreamRecord<DecodedRecord>> plain = new java.util.ArrayList<>();
        List<StreamRecord<DecodedRecord>> decoded = new java.util.ArrayList<>();
        dev.driftwatch.event.InferenceEventDecoder decoder = new dev.driftwatch.event.InferenceEventDecoder(true);
        Object[] xs = {null, Double.NaN, Double.NEGATIVE_INFINITY, "text", 1.5, -0.25, 3.0};
        Object[] cs = {null, "a", "b", "zzz", 7.0, Double.NaN};
        for (int i = 0; i < 400; i++) {
            Object x = random.nextInt(3) == 0 ? xs[random.nextInt(xs.length)] : random.nextGaussian();
            StreamRecord<DecodedRecord> r = event("id" + i, "m", "v1", 1_000 + i, x, cs[random.nextInt(cs.length)],
                    random.nextBoolean() ? null : random.nextDouble());
            plain.add(r);
            InferenceEvent e = decoder.decode(dev.driftwatch.io.AvroBytes.singleObject(r.getValue().event));
            assertThat(e.getFeatures()).isInstanceOf(dev.driftwatch.event.FeatureMap.class);
            decoded.add(new StreamRecord<>(DecodedRecord.ok(e, "events", 0, r.getTimestamp()), r.getTimestamp()));
        }
        Map<String, PaneProfile> fromPlain = firstPane(plain);
        Map<String, PaneProfile> fromDecoded = firstPane(decoded);
        assertThat(fromDecoded).containsOnlyKeys(fromPlain.keySet());
        for (String k : fromPlain.keySet()) {
            PaneProfile a = fromPlain.get(k);
            PaneProfile b = fromDecoded.get(k);
            assertThat(b.cells).as(k).containsExactly(a.cells);
            assertThat(b.count).as(k).isEqualTo(a.count);
            assertThat(b.missing).as(k).isEqualTo(a.missing);
            if (a.sample != null) {
                assertThat(b.sample.sortedValues()).as(k).containsExactly(a.sample.sortedValues());
            }
        }
        assertThat(fromPlain.get("x@0").missing).as("null, NaN, infinities and text in x").isGreaterThan(0);
    }

    /** The pane profiles a fresh pane stage emits for the records when the first pane closes. */
    static Map<String, PaneProfile> firstPane(List<StreamRecord<DecodedRecord>> records) throws Exception {
        try (var h = harness()) {
            h.open();
            for (var r : records) {
                h.processElement(r);
            }
            h.processWatermark(PANE - 1);
            return byFeature(h.extractOutputValues());
        }
    }
}
