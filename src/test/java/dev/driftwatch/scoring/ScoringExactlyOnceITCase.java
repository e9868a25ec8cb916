package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.testing.KafkaTestBroker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.driftwatch.avro.InferenceEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.AvroDeserializationSchema;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events in a Kafka topic, scored by the ScoringOperator and written by an exactly-once KafkaSink;
 * the task fails once, after a completed checkpoint, with half a micro-batch pending. After the
 * restart, a read_committed consumer sees every event's score exactly once.
 */
class ScoringExactlyOnceITCase {

    private static final int EVENTS = 1_600;
    private static final int BATCH = 64;
    private static final String MLP = TestModels.MLP;

    // The injected failure is remembered across the restart: the restarted operator is a new instance.
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicInteger PENDING_AT_FAILURE = new AtomicInteger(-1);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @RegisterExtension
    static final KafkaTestBroker kafka = new KafkaTestBroker();

    /** The real operator, failing once mid-stream when its batch is exactly half full after a checkpoint. */
    static final class FailingOnceScoringOperator extends ScoringOperator {
        private static final long serialVersionUID = 1L;
        private transient boolean checkpointCompleted;

        FailingOnceScoringOperator(ScoringModelConfig config) {
            super(config, Map.of());
        }

        @Override
        public void processElement(StreamRecord<InferenceEvent> element) throws Exception {
            super.processElement(element);
            if (checkpointCompleted && pendingRows() == BATCH / 2 && FAILED.compareAndSet(false, true)) {
                PENDING_AT_FAILURE.set(pendingRows());
                throw new RuntimeException("injected failure with " + pendingRows() + " rows pending");
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            super.notifyCheckpointComplete(checkpointId);
            checkpointCompleted = true;
        }
    }

    @Test
    void everyEventIsScoredExactlyOnceAcrossAFailureWithAHalfFullBatch() throws Exception {
        String eventsTopic = "scoring-events";
        String resultsTopic = "scoring-results";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(eventsTopic, 1, (short) 1), new NewTopic(resultsTopic, 1, (short) 1)))
                    .all().get();
        }
        double[] expected = TestModels.outputs(MLP);
        produceEvents(eventsTopic, expected);

        ScoringModelConfig base = TestModels.config(MLP);
        // max_delay far beyond the run: only a full batch or a checkpoint barrier flushes.
        ScoringModelConfig config = new ScoringModelConfig(base.model(), base.path(), base.sha256(), base.role(),
                null, null, null, base.outputName(), null, null, null, BATCH, Duration.ofMinutes(5),
                base.skewTolerance(), base.skewThreshold(), false);

        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
        conf.setString("pipeline.generic-types", "false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        // About 1 ms per event and a checkpoint every 200 ms: many checkpoints mid-stream, and between two
        // barriers enough events (tens to hundreds) for the batch to reach half full.
        env.enableCheckpointing(200);

        KafkaSource<InferenceEvent> source = KafkaSource.<InferenceEvent>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(eventsTopic)
                .setGroupId("scoring-itcase")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(
                        AvroDeserializationSchema.forSpecific(InferenceEvent.class)))
                .build();
        DataStream<InferenceEvent> events = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "inference events")
                .uid("inference-events")
                // Spread the events over several checkpoints, as live traffic would arrive.
                .map(e -> {
                    Thread.sleep(1);
                    return e;
                })
                .returns(AvroDeserializationSchema.forSpecific(InferenceEvent.class).getProducedType())
                .name("pace")
                .uid("pace");
        ScoringOperator.apply(events, config, new FailingOnceScoringOperator(config))
                .map(s -> s.getEventId() + "," + s.getScore())
                .returns(Types.STRING)
                .name("format")
                .uid("format")
                .sinkTo(KafkaSink.<String>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                                .setTopic(resultsTopic)
                                .setValueSerializationSchema(new SimpleStringSchema())
                                .build())
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix("scoring-itcase")
                        // The broker's transaction.max.timeout.ms is 15 min; the sink's default is 1 h.
                        .setProperty("transaction.timeout.ms", "600000")
                        .build())
                .name("results")
                .uid("results");
        env.execute("scoring exactly-once");

        assertThat(FAILED).as("the failure was injected").isTrue();
        assertThat(PENDING_AT_FAILURE.get()).isEqualTo(BATCH / 2);

        Map<String, Integer> timesScored = new HashMap<>();
        for (String line : readCommitted(resultsTopic)) {
            String[] parts = line.split(",");
            timesScored.merge(parts[0], 1, Integer::sum);
            int row = Integer.parseInt(parts[0].substring(parts[0].lastIndexOf('-') + 1)) % expected.length;
            assertThat(Double.parseDouble(parts[1])).isCloseTo(expected[row], within(1e-5));
        }
        assertThat(timesScored).hasSize(EVENTS);
        assertThat(Set.copyOf(timesScored.values())).as("every event scored exactly once").containsExactly(1);
    }

    private static void produceEvents(String topic, double[] expected) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        SpecificDatumWriter<InferenceEvent> writer = new SpecificDatumWriter<>(InferenceEvent.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < EVENTS; i++) {
                int row = i % expected.length;
                InferenceEvent e = TestModels.event(MLP, row, expected[row], 1_000L * i);
                e.setEventId(MLP + "-" + i);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
                writer.write(e, encoder);
                encoder.flush();
                producer.send(new ProducerRecord<>(topic, bytes.toByteArray()));
            }
            producer.flush();
        }
    }

    private static List<String> readCommitted(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
