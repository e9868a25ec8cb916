package dev.driftwatch;

import dev.driftwatch.alert.AlertFunction;
import dev.driftwatch.alert.AlertPolicy;
import dev.driftwatch.alert.airflow.AirflowTriggerSink;
import dev.driftwatch.alert.airflow.KafkaDeadLetterPublisher;
import dev.driftwatch.avro.DeadLetter;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.baseline.BaselineSource;
import dev.driftwatch.config.ConfigException;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.event.DeadLetterRetention;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.event.EventDeserializer;
import dev.driftwatch.io.AvroSerializationSchemas;
import dev.driftwatch.profile.PaneProfile;
import dev.driftwatch.window.PaneAggregator;
import dev.driftwatch.window.PaneWatermarks;
import dev.driftwatch.window.WindowEvaluator;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.ModelBaselines;
import dev.driftwatch.scoring.ScoredEvent;
import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.scoring.ScoringOperator;
import dev.driftwatch.window.ScoringWindowEvaluator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The driftwatch streaming job. {@link #defineWorkflow} builds the whole graph from a source of decoded events
 * and the sinks; {@link #main} wires Kafka to it. Submit with
 * {@code flink run -c dev.driftwatch.DriftJob driftwatch-job.jar --config driftwatch.yaml}.
 *
 * <p>Flags: {@code --config FILE} (required) the YAML configuration; README's reference lists its keys.
 */
public final class DriftJob {
    /** Stable operator uids: savepoints map state by these, so never change them. */
    public static final String UID_SOURCE = "events-source";
    public static final String UID_PANES = "pane-aggregator";
    public static final String UID_WINDOWS = "window-evaluator";
    public static final String UID_ALERTS = "alert-policy";
    public static final String UID_SCORING_WINDOWS = "scoring-window-evaluator";

    /** Events more than this far ahead of the wall clock are not allowed to move the watermark. */
    public static final Duration MAX_FUTURE_SKEW = Duration.ofDays(1);

    private DriftJob() {}

    /**
     * Where the job writes: alerts (required), per-window results (optional), dead letters (required), and the
     * Airflow retraining trigger (optional; runs at parallelism 1).
     */
    public record Sinks(Sink<DriftAlert> alerts, Sink<FeatureDriftResult> results, Sink<DeadLetter> deadLetters,
                        Sink<DriftAlert> airflow) {
        public Sinks(Sink<DriftAlert> alerts, Sink<FeatureDriftResult> results, Sink<DeadLetter> deadLetters) {
            this(alerts, results, deadLetters, null);
        }
    }

    /** The streams the graph produced, for callers that attach more (Airflow trigger, tests). */
    public record Outputs(DataStream<DriftAlert> alerts, DataStream<FeatureDriftResult> results,
                          DataStream<DeadLetter> deadLetters, DataStream<ScoredEvent> scored) {}

    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        if (!params.has("config")) {
            throw new ConfigException("--config: required (path of the driftwatch YAML configuration)");
        }
        DriftConfig config = DriftConfig.load(Path.of(params.get("config")));
        DeadLetterRetention.Outcome retention = DeadLetterRetention.apply(config.kafka());
        if (retention != null) {
            System.getLogger(DriftJob.class.getName()).log(System.Logger.Level.INFO, retention.toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configureEnvironment(env, config);
        defineWorkflow(env, config, kafkaSource(config), kafkaSinks(config));
        env.execute("driftwatch");
    }

    /** Checkpointing and serialization settings every driftwatch run needs. */
    public static void configureEnvironment(StreamExecutionEnvironment env, DriftConfig config) {
        env.enableCheckpointing(config.checkpointing().interval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setCheckpointTimeout(config.checkpointing().timeout().toMillis());
        Configuration pipeline = new Configuration();
        // no operator keeps or mutates its input records, so chained operators may share them
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        // every state and record type is a POJO or Avro record: fail fast instead of falling back to Kryo
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(pipeline);
    }

    public static Outputs defineWorkflow(StreamExecutionEnvironment env, DriftConfig config,
                                         Source<DecodedRecord, ?, ?> source, Sinks sinks) {
        DriftConfig.Window w = config.window();
        BaselineSource baselines = baselineSource(config);
        long maxFuture = MAX_FUTURE_SKEW.toMillis();
        long outOfOrderness = w.outOfOrderness().toMillis();
        long pane = w.slide().toMillis();
        // bounded out-of-orderness, and a watermark as soon as one passes a pane's end: panes leave promptly
        WatermarkStrategy<DecodedRecord> watermarks = WatermarkStrategy
                .<DecodedRecord>forGenerator(ctx -> new PaneWatermarks<>(outOfOrderness, pane))
                .withTimestampAssigner(ctx -> new EventTimes(maxFuture))
                .withIdleness(w.idleness());
        if (w.maxDrift() != null) {
            // a reader ahead of the slowest by more than max-drift pauses, so stage 2 does not hold its panes meanwhile
            watermarks = watermarks.withWatermarkAlignment("driftwatch-events", w.maxDrift(), w.driftUpdateInterval());
        }

        DataStream<DecodedRecord> events = env.fromSource(source, watermarks, "inference-events")
                .uid(UID_SOURCE);

        SingleOutputStreamOperator<PaneProfile> panes = events
                .transform("pane-aggregator", TypeInformation.of(PaneProfile.class),
                        new PaneAggregator(baselines, w.slide().toMillis(), config.sampling().reservoirSize(),
                                config.sampling().maxFeatures()))
                .uid(UID_PANES);
        if (env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.STREAMING) {
            // a closed pane's records and the watermark behind them leave at once, not when the next pane fills the
            // buffer (or after execution.buffer-timeout): else stage 2 evaluates pane n's windows just as pane n+1
            // arrives, and the source waits on it. A flush per pane record costs nothing: they are few. (Batch
            // mode, as replay runs, hands over whole partitions and refuses a buffer timeout.)
            panes.setBufferTimeout(0);
        }
        DataStream<DeadLetter> deadLetters = panes.getSideOutput(PaneAggregator.DEAD_LETTERS);

        // only pane profiles cross the network: one record per (model version, feature, pane, reading task)
        SingleOutputStreamOperator<FeatureDriftResult> results = panes
                .keyBy(PaneProfile::featureKey)
                .process(new WindowEvaluator(baselines, w, config.tests(), config.sampling().reservoirSize()))
                .name("window-evaluator")
                .uid(UID_WINDOWS);

        DataStream<FeatureDriftResult> allResults = results;
        List<ScoringModelConfig> scoring = config.scoringModels();
        DataStream<ScoredEvent> scored = null;
        if (!scoring.isEmpty()) {
            scored = scoreEvents(events, baselines, scoring);
            allResults = results.union(scored
                    .keyBy(ScoringWindowEvaluator::key)
                    .process(new ScoringWindowEvaluator(baselines, config.window(), config.tests(),
                            config.sampling().reservoirSize(), scoring))
                    .name("scoring-window-evaluator")
                    .uid(UID_SCORING_WINDOWS));
        }

        AlertPolicy policy = new AlertPolicy(config.tests().correction(), config.alerting().consecutive(),
                config.alerting().driftShare());
        // drift and skew of a model version are separate episodes: separate hysteresis, separate alerts
        SingleOutputStreamOperator<DriftAlert> alerts = allResults
                .keyBy(r -> r.getModel() + '\u0000' + r.getModelVersion() + '\u0000' + AlertPolicy.kindOf(r))
                .process(new AlertFunction(policy, config.alerting().stateTtl()))
                .name("alert-policy")
                .uid(UID_ALERTS);

        alerts.sinkTo(sinks.alerts()).name("alert-sink").uid("alert-sink");
        if (sinks.results() != null) {
            allResults.sinkTo(sinks.results()).name("results-sink").uid("results-sink");
        }
        deadLetters.sinkTo(sinks.deadLetters()).name("dead-letter-sink").uid("dead-letter-sink");
        if (sinks.airflow() != null) {
            // one writer holds every model's cooldown; its own task, so waiting on Airflow never holds up the alert sink
            alerts.sinkTo(sinks.airflow()).name("airflow-trigger").uid("airflow-trigger")
                    .setParallelism(1).disableChaining();
        }
        return new Outputs(alerts, allResults, deadLetters, scored);
    }

    /**
     * Replay and shadow scoring: each configured artifact re-scores the valid events of its model in the source's
     * task (co-located, no shuffle of raw events); the scores become per-window results that join the alert
     * path: the skew rate of a replay artifact, the prediction drift of a shadow one.
     */
    static DataStream<ScoredEvent> scoreEvents(DataStream<DecodedRecord> events, BaselineSource baselines,
                                               List<ScoringModelConfig> artifacts) {
        DataStream<InferenceEvent> valid = events
                .flatMap(new ValidEvents())
                .name("valid-events")
                .uid("valid-events");
        DataStream<ScoredEvent> scored = null;
        for (ScoringModelConfig artifact : artifacts) {
            DataStream<ScoredEvent> one = ScoringOperator.apply(valid, artifact, featureMeans(baselines, artifact.model()));
            scored = scored == null ? one : scored.union(one);
        }
        return scored;
    }

    /** Training means of a model's features (its newest baseline), for imputing missing inputs. */
    static Map<String, Double> featureMeans(BaselineSource baselines, String model) {
        Map<String, Double> means = new HashMap<>();
        try (BaselineSource.Subscription subscription = baselines.subscribe()) {
            ModelBaselines newest = null;
            for (ModelBaselines mb : subscription.current().all()) {
                if (mb.model().equals(model) && (newest == null || mb.createdAt() > newest.createdAt())) {
                    newest = mb;
                }
            }
            if (newest != null) {
                for (Baseline b : newest.features()) {
                    if (b.record().getStats() != null) {
                        means.put(b.feature(), b.record().getStats().getMean());
                    }
                }
            }
        } catch (Exception e) {
            // the baselines may only be readable on the cluster; missing inputs are then skipped, not imputed
            System.getLogger(DriftJob.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot read baselines for imputation means of " + model + ": " + e.getMessage());
        }
        return means;
    }

    /** The decoded events, without the records the pane stage dead-letters for being undecodable. */
    static final class ValidEvents implements FlatMapFunction<DecodedRecord, InferenceEvent> {
        @Override
        public void flatMap(DecodedRecord r, Collector<InferenceEvent> out) {
            if (r.isValid()) {
                out.collect(r.event);
            }
        }
    }

    /** The baselines the configuration names: a compacted baseline topic when baselines.topic is set, else the directory. */
    public static BaselineSource baselineSource(DriftConfig config) {
        DriftConfig.Baselines b = config.baselines();
        return b.topic() == null
                ? new BaselineSource(b.directory(), b.fallbackToNewest())
                : BaselineSource.topic(config.kafka().bootstrapServers(), b.topic(), config.kafka().properties(),
                        b.fallbackToNewest(), b.loadTimeout());
    }

    /**
     * Event time of a record; bad or far-future records get none, so they cannot move the watermark. The wall clock
     * is read only when an event time passes the limit last computed from it (the clock only moves forward, so a
     * time below an old limit is below the current one too): not once per event.
     */
    static final class EventTimes implements TimestampAssigner<DecodedRecord> {
        private final long maxFutureMillis;
        private long limit = Long.MIN_VALUE;

        EventTimes(long maxFutureMillis) {
            this.maxFutureMillis = maxFutureMillis;
        }

        @Override
        public long extractTimestamp(DecodedRecord r, long recordTimestamp) {
            if (r.event == null || r.event.getEventTime() == null) {
                return Long.MIN_VALUE;
            }
            long ts = r.event.getEventTime().toEpochMilli();
            if (ts > limit) {
                limit = System.currentTimeMillis() + maxFutureMillis;
                if (ts > limit) {
                    return Long.MIN_VALUE;
                }
            }
            return ts;
        }
    }

    /**
     * The source's batch per poll unless {@code kafka.properties} sets one: Kafka's default of 500 hands the task
     * a batch every half millisecond at this job's speed, and a fetcher thread held up for longer by another task
     * on the same core left the source waiting (README, Performance).
     */
    public static final String SOURCE_MAX_POLL_RECORDS = "2000";

    public static KafkaSource<DecodedRecord> kafkaSource(DriftConfig config) {
        DriftConfig.Kafka k = config.kafka();
        OffsetsInitializer start = switch (k.startingOffsets()) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
        return KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setTopics(k.eventsTopic())
                .setGroupId(k.groupId())
                .setStartingOffsets(start)
                .setProperty("max.poll.records", SOURCE_MAX_POLL_RECORDS)
                .setProperties(clientProperties(k))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new EventDeserializer(k.format(), k.schemaRegistry()))
                .build();
    }

    public static Sinks kafkaSinks(DriftConfig config) {
        DriftConfig.Kafka k = config.kafka();
        KafkaSink<DriftAlert> alerts = kafkaSink(k, KafkaRecordSerializationSchema.<DriftAlert>builder()
                .setTopic(k.alertsTopic())
                .setKeySerializationSchema(new AvroSerializationSchemas.AlertKey())
                .setValueSerializationSchema(AvroSerializationSchemas.values(DriftAlert.class, k.alertsFormat(),
                        k.schemaRegistry(), k.alertsTopic()))
                .build(), k.groupId() + "-alerts");
        KafkaSink<FeatureDriftResult> results = k.resultsTopic() == null ? null
                : kafkaSink(k, KafkaRecordSerializationSchema.<FeatureDriftResult>builder()
                .setTopic(k.resultsTopic())
                .setKeySerializationSchema(new AvroSerializationSchemas.ResultKey())
                .setValueSerializationSchema(AvroSerializationSchemas.values(FeatureDriftResult.class, k.resultsFormat(),
                        k.schemaRegistry(), k.resultsTopic()))
                .build(), k.groupId() + "-results");
        KafkaSink<DeadLetter> dlq = kafkaSink(k, KafkaRecordSerializationSchema.<DeadLetter>builder()
                .setTopic(k.deadLetterTopic())
                .setValueSerializationSchema(new AvroSerializationSchemas.DeadLetters())
                .build(), k.groupId() + "-dead-letters");
        AirflowTriggerSink airflow = config.airflow() == null ? null
                : new AirflowTriggerSink(config.airflow(),
                        new KafkaDeadLetterPublisher(k.bootstrapServers(), k.deadLetterTopic(), k.properties()));
        return new Sinks(alerts, results, dlq, airflow);
    }

    /** An exactly-once Kafka sink; the transaction timeout stays under the broker's maximum (15 min by default). */
    public static <T> KafkaSink<T> kafkaSink(DriftConfig.Kafka k, KafkaRecordSerializationSchema<T> schema, String transactionalIdPrefix) {
        Properties props = clientProperties(k);
        props.setProperty("transaction.timeout.ms", Long.toString(k.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(k.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /** Kafka client properties passed through from the config (TLS, SASL, ...). */
    public static Properties clientProperties(DriftConfig.Kafka k) {
        Properties p = new Properties();
        p.putAll(k.properties());
        return p;
    }
}
