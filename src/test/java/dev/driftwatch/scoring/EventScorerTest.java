package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.event.FeatureMap;
import dev.driftwatch.event.InferenceEventDecoder;
import dev.driftwatch.io.AvroBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events as the job decodes them (flat feature maps, read by position) are scored, imputed and skipped exactly as
 * the same events with plain maps, whatever order their producers wrote the features in.
 */
class EventScorerTest {

    @Test
    void decodedEventsScoreImputeAndSkipExactlyAsPlainMapEventsDo() throws Exception {
        Path model = Path.of("src/test/resources/models/handbook_mlp.onnx");
        ScoringModelConfig c = ScoringModelConfig.replay("mlp", model.toString(),
                OnnxModelArtifact.sha256(Files.readAllBytes(model)), "prediction");
        Random random = new Random(4);
        InferenceEventDecoder decoder = new InferenceEventDecoder(true);
        List<InferenceEvent> plain = new ArrayList<>();
        List<InferenceEvent> decoded = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            Map<String, Object> features = new java.util.LinkedHashMap<>();
            // three producers: f0..f9 in the model's order, in reverse, and in order with an extra feature last
            int producer = random.nextInt(3);
            for (int j = 0; j < 10; j++) {
                int f = producer == 1 ? 9 - j : j;
                Object v = random.nextInt(25) == 0 ? null : random.nextGaussian();
                if (random.nextInt(60) == 0) {
                    v = random.nextBoolean() ? Double.NaN : "oops";
                }
                if (random.nextInt(80) != 0) { // sometimes absent
                    features.put("f" + f, v);
                }
            }
            if (producer == 2) {
                features.put("extra", "x");
            }
            InferenceEvent e = InferenceEvent.newBuilder().setEventId("e" + i).setModelName("mlp").setModelVersion("v1")
                    .setEventTime(Instant.ofEpochMilli(i)).setFeatures(features).setPrediction(0.5).build();
            plain.add(e);
            InferenceEvent d = decoder.decode(AvroBytes.singleObject(e));
            assertThat(d.getFeatures()).isInstanceOf(FeatureMap.class);
            decoded.add(d);
        }
        Map<String, Double> means = new HashMap<>();
        for (int j = 0; j < 10; j += 2) {
            means.put("f" + j, 0.25 * j); // odd features have no mean: their missing values skip the event
        }
        Run a = score(c, plain, means);
        Run b = score(c, decoded, means);
        assertThat(b.scores).containsExactlyElementsOf(a.scores);
        assertThat(b.skips).isEqualTo(a.skips);
        assertThat(b.imputed).isEqualTo(a.imputed);
        assertThat(a.skips).containsKeys(EventScorer.Skip.MISSING_FEATURE, EventScorer.Skip.INVALID_FEATURE);
        assertThat(a.imputed).isPositive();
        assertThat(a.scores.size()).isGreaterThan(400);
    }

    record Run(List<String> scores, Map<EventScorer.Skip, Integer> skips, int imputed) {}

    private static Run score(ScoringModelConfig c, List<InferenceEvent> events, Map<String, Double> means) throws Exception {
        List<String> scores = new ArrayList<>();
        Map<EventScorer.Skip, Integer> skips = new EnumMap<>(EventScorer.Skip.class);
        int[] imputed = {0};
        try (SharedOrtSessions.Lease lease = SharedOrtSessions.jvmWide().acquire(c);
                OrtBatchScorer ort = new OrtBatchScorer(lease.session(), lease.signature())) {
            EventScorer scorer = new EventScorer(c, lease.signature(), ort, means, new EventScorer.Listener() {
                @Override
                public void skipped(EventScorer.Skip reason) {
                    skips.merge(reason, 1, Integer::sum);
                }

                @Override
                public void imputed() {
                    imputed[0]++;
                }

                @Override
                public void batchScored(int rows, long latencyNanos) {}
            });
            EventScorer.ScoredEventSink sink = (s, ts) -> scores.add(s.getEventId() + "@" + ts + "=" + s.getScore());
            for (InferenceEvent e : events) {
                if (scorer.add(e, e.getEventTime().toEpochMilli() * 3)) {
                    scorer.flush(sink);
                }
            }
            scorer.flush(sink);
        }
        return new Run(scores, skips, imputed[0]);
    }
}
