package dev.driftwatch.replay;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.DriftJob;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.TableReader;
import dev.driftwatch.scoring.ScoredEvent;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Bounded replay: reads exactly one event-time range of the events topic (timestamp offsets at both ends), runs
 * the job's own graph over it in batch execution mode, optionally with a candidate ONNX model as a shadow, and
 * writes a report comparing the candidate with production per window ({@link ReplayReport}).
 */
public final class Replay {
    /** Version label under which a candidate given on the command line is reported. */
    public static final String CANDIDATE_LABEL = "candidate";

    private Replay() {}

    /** A range without events, or a candidate that cannot be used: a message for the user, no report. */
    public static final class NothingToReplayException extends IllegalArgumentException {
        public NothingToReplayException(String message) {
            super(message);
        }
    }

    /** What a replay found: the windows' results, the alerts it would have raised, and every score. */
    public record Outcome(long eventsInRange, List<FeatureDriftResult> results, List<DriftAlert> alerts,
                          List<ScoredEvent> scored) {}

    public static Outcome run(DriftConfig base, Instant from, Instant to, Path candidate) throws Exception {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from must be before --to, got " + from + " .. " + to);
        }
        long inRange = recordsInRange(base.kafka(), from, to);
        if (inRange == 0) {
            throw new NothingToReplayException("no events between " + from + " and " + to + " on topic "
                    + base.kafka().eventsTopic() + " (" + base.kafka().bootstrapServers() + "): nothing to replay");
        }
        DriftConfig config = candidate == null ? base : withCandidate(base, candidate);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        Configuration pipeline = new Configuration();
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(pipeline);

        KafkaSource<DecodedRecord> source = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setTopics(config.kafka().eventsTopic())
                .setGroupId(config.kafka().groupId() + "-replay")
                .setProperties(DriftJob.clientProperties(config.kafka()))
                .setProperty("isolation.level", "read_committed")
                .setStartingOffsets(OffsetsInitializer.timestamp(from.toEpochMilli()))
                .setBounded(OffsetsInitializer.timestamp(to.toEpochMilli()))
                .setDeserializer(new RangeDeserializer(config.kafka(), from.toEpochMilli(), to.toEpochMilli()))
                .build();
        DriftJob.Outputs outputs = DriftJob.defineWorkflow(env, config, source, new DriftJob.Sinks(
                new DiscardingSink<DriftAlert>(), null, new DiscardingSink<DeadLetter>()));
        try (CloseableIterator<FeatureDriftResult> results = outputs.results().collectAsync();
             CloseableIterator<DriftAlert> alerts = outputs.alerts().collectAsync();
             CloseableIterator<ScoredEvent> scored = outputs.scored() == null ? CloseableIterator.empty()
                     : outputs.scored().collectAsync()) {
            env.execute("driftwatch-replay " + from + " .. " + to);
            return new Outcome(inRange, drain(results), drain(alerts), drain(scored));
        }
    }

    private static <T> List<T> drain(CloseableIterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** The config plus the candidate as a shadow artifact of every model that has a replay or shadow entry, or of the only baselined model. */
    static DriftConfig withCandidate(DriftConfig base, Path candidate) {
        String outputName;
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(candidate.toString(), new OrtSession.SessionOptions())) {
            outputName = s.getOutputNames().iterator().next();
        } catch (OrtException e) {
            throw new IllegalArgumentException("--model " + candidate + ": not a model ONNX Runtime can load: " + e.getMessage());
        }
        List<String> models = new ArrayList<>();
        for (ScoringModelConfig m : base.scoringModels()) {
            String model = m.model();
            if (!models.contains(model)) {
                models.add(model);
            }
        }
        if (models.isEmpty()) {
            try (var baselines = DriftJob.baselineSource(base).subscribe()) {
                baselines.current().all().forEach(mb -> {
                    if (!models.contains(mb.model())) {
                        models.add(mb.model());
                    }
                });
            }
        }
        if (models.size() != 1) {
            throw new IllegalArgumentException("--model: the config names " + models.size()
                    + " models (" + models + "); a candidate needs exactly one (add it under scoring.models instead)");
        }
        List<ScoringModelConfig> scoring = new ArrayList<>(base.scoringModels());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("model", models.get(0));
        entry.put("path", candidate.toAbsolutePath().toString());
        entry.put("sha256", TableReader.sha256Of(candidate));
        entry.put("role", "shadow");
        entry.put("shadow-version", CANDIDATE_LABEL);
        entry.put("output-name", outputName);
        scoring.add(ScoringModelConfig.fromMap(entry));
        return base.withScoring(scoring);
    }

    /** Records of the events topic whose Kafka timestamps fall in [from, to). */
    static long recordsInRange(DriftConfig.Kafka k, Instant from, Instant to) {
        Properties p = DriftJob.clientProperties(k);
        p.put("bootstrap.servers", k.bootstrapServers());
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("default.api.timeout.ms", "30000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(k.eventsTopic(), Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            Map<TopicPartition, Long> fromQuery = new HashMap<>();
            Map<TopicPartition, Long> toQuery = new HashMap<>();
            parts.forEach(tp -> {
                fromQuery.put(tp, from.toEpochMilli());
                toQuery.put(tp, to.toEpochMilli());
            });
            Map<TopicPartition, OffsetAndTimestamp> starts = c.offsetsForTimes(fromQuery);
            Map<TopicPartition, OffsetAndTimestamp> ends = c.offsetsForTimes(toQuery);
            Map<TopicPartition, Long> endOffsets = c.endOffsets(parts);
            long n = 0;
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp s = starts.get(tp);
                if (s == null) {
                    continue;
                }
                OffsetAndTimestamp e = ends.get(tp);
                n += (e == null ? endOffsets.get(tp) : e.offset()) - s.offset();
            }
            return n;
        }
    }

    /** Decodes like the job, but passes on only events whose event time lies in [from, to). */
    static final class RangeDeserializer extends EventDeserializer {
        private final long from;
        private final long to;

        RangeDeserializer(DriftConfig.Kafka kafka, long from, long to) {
            super(kafka.format(), kafka.schemaRegistry());
            this.from = from;
            this.to = to;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
            super.deserialize(record, new Collector<>() {
                @Override
                public void collect(DecodedRecord r) {
                    if (r.event == null || (r.event.getEventTime().toEpochMilli() >= from
                            && r.event.getEventTime().toEpochMilli() < to)) {
                        out.collect(r);
                    }
                }

                @Override
                public void close() {
                    out.close();
                }
            });
        }
    }
}
