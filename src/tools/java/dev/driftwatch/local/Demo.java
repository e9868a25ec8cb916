package dev.driftwatch.local;

import dev.driftwatch.DriftJob;
import dev.driftwatch.alert.AlertText;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.Durations;
import dev.driftwatch.event.DeadLetterRetention;
import dev.driftwatch.io.AvroBytes;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * `driftwatch demo`: all of driftwatch on one machine. Starts a Kafka broker in its own JVM, builds baselines
 * from a generated training set, runs the job in a local MiniCluster (web UI and Prometheus metrics on), and
 * produces the handbook's traffic in compressed event time: stable, then a mean shift of 1.5 on f3 and f7,
 * then stable again. Prints each alert as it is committed to the alert topic.
 */
public final class Demo {
    public static final String MODEL = "fraud-detector";
    public static final String VERSION = "v1";
    public static final Set<String> SHIFTED = Set.of("f3", "f7");

    /** Settings of a demo run. */
    public record Options(Duration duration, int eventsPerSecond, int speedup, int webPort, int metricsPort,
                          Path workDir, Duration window, Duration slide, boolean score, String airflowUrl) {
        public Options(Duration duration, int eventsPerSecond, int speedup, int webPort, int metricsPort,
                       Path workDir, Duration window, Duration slide) {
            this(duration, eventsPerSecond, speedup, webPort, metricsPort, workDir, window, slide, false, null);
        }
    }

    /** Environment variable holding the Airflow password when the demo triggers a DAG (`--airflow-url`). */
    public static final String AIRFLOW_PASSWORD_ENV = "DRIFTWATCH_DEMO_AIRFLOW_PASSWORD";
    /** How long the demo's dead-letter topic keeps records (kafka.dead-letter-retention). */
    static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(7);

    private final Options o;
    private final PrintStream out;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong alerts = new AtomicLong();

    public Demo(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    public int run() throws Exception {
        Path work = o.workDir().toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        out.println("driftwatch demo: starting a Kafka broker (own JVM, loopback) ...");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"))) {
            broker.createTopics(Map.of("inference-events", 2, "drift-alerts", 1, "driftwatch-results", 1));
            // dead letters keep raw bytes: the topic is made with the retention the config names
            broker.createTopic("driftwatch-dead-letters", 1, DeadLetterRetention.topicConfig(DEAD_LETTER_RETENTION));
            Path training = work.resolve("training.csv");
            Files.writeString(training, SyntheticTraffic.trainingCsv(7, 5000));
            Path baselines = work.resolve("baselines");
            TrainingBaselines.build(training, MODEL, VERSION, "score", baselines);

            DriftConfig config = config(broker.bootstrapServers(), baselines, work);
            Configuration flink = new Configuration();
            flink.set(RestOptions.PORT, o.webPort());
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            flink.set(RestOptions.ADDRESS, "127.0.0.1");
            flink.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            flink.setString("metrics.reporter.prom.port", Integer.toString(o.metricsPort()));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            env.setParallelism(2);
            DriftJob.configureEnvironment(env, config);
            DriftJob.defineWorkflow(env, config, DriftJob.kafkaSource(config), DriftJob.kafkaSinks(config));
            JobClient job = env.executeAsync("driftwatch-demo");
            Thread stopper = new Thread(() -> stopping.set(true), "demo-stopper");
            Runtime.getRuntime().addShutdownHook(stopper);

            out.printf(Locale.ROOT, "Kafka %s | Flink web UI http://127.0.0.1:%d | Prometheus http://127.0.0.1:%d/metrics%n",
                    broker.bootstrapServers(), o.webPort(), o.metricsPort());
            long startWall = System.currentTimeMillis();
            long startEvent = Instant.ofEpochMilli(startWall).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
            long total = o.duration().toMillis() * o.speedup();
            long shiftFrom = startEvent + total * 35 / 100;
            long shiftTo = startEvent + total * 60 / 100;
            out.printf(Locale.ROOT, "model %s %s, baselines from 5000 training rows; windows of %s sliding by %s (event time, %dx wall time)%n",
                    MODEL, VERSION, Durations.format(o.window()), Durations.format(o.slide()), o.speedup());
            out.printf(Locale.ROOT, "traffic: stable, mean shift +1.5 on %s from +%s to +%s of event time, stable again; %d events/s%n",
                    String.join(",", SHIFTED.stream().sorted().toList()), clock(Duration.ofMillis(shiftFrom - startEvent)),
                    clock(Duration.ofMillis(shiftTo - startEvent)), o.eventsPerSecond());
            SyntheticTraffic traffic = new SyntheticTraffic(MODEL, VERSION, 2026,
                    List.of(new SyntheticTraffic.Shift(shiftFrom, shiftTo, SHIFTED, 1.5)));

            Thread alertPrinter = new Thread(() -> printAlerts(broker.bootstrapServers()), "demo-alerts");
            alertPrinter.setDaemon(true);
            alertPrinter.start();
            try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                long nextProgress = startWall + 5000;
                long i = 0;
                while (!stopping.get()) {
                    long now = System.currentTimeMillis();
                    long elapsed = now - startWall;
                    if (elapsed >= o.duration().toMillis()) {
                        break;
                    }
                    long due = elapsed * o.eventsPerSecond() / 1000;
                    for (; i < due; i++) {
                        // spread the events of this tick over its event-time span
                        long eventTime = startEvent + i * 1000L * o.speedup() / o.eventsPerSecond();
                        byte[] v = AvroBytes.singleObject(traffic.event(i, eventTime));
                        // keyed by event id: spread over both partitions, so neither holds the watermark back
                        producer.send(new ProducerRecord<>("inference-events", null, eventTime,
                                Long.toString(i).getBytes(StandardCharsets.UTF_8), v));
                        sent.incrementAndGet();
                    }
                    if (now >= nextProgress) {
                        long eventNow = startEvent + elapsed * o.speedup();
                        String phase = eventNow >= shiftFrom && eventNow < shiftTo ? "shift on f3,f7" : "stable";
                        out.printf(Locale.ROOT, "[%4ds] event time +%-8s sent %-8d phase %-15s alerts %d%n",
                                elapsed / 1000, clock(Duration.ofMillis(eventNow - startEvent)), sent.get(), phase, alerts.get());
                        nextProgress += 5000;
                    }
                    Thread.sleep(20);
                }
            }
            // give the last windows a checkpoint to commit their alerts
            Thread.sleep(config.checkpointing().interval().toMillis() * 2);
            stopping.set(true);
            job.cancel().get(60, TimeUnit.SECONDS);
            alertPrinter.join(10_000);
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is already running
            }
            out.printf(Locale.ROOT, "driftwatch demo: done, %d events sent, %d alerts. Stopping the broker.%n", sent.get(), alerts.get());
        }
        return 0;
    }

    DriftConfig config(String bootstrap, Path baselines, Path work) throws java.io.IOException {
        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap-servers", bootstrap);
        kafka.put("results-topic", "driftwatch-results");
        kafka.put("starting-offsets", "earliest");
        kafka.put("dead-letter-retention", Durations.format(DEAD_LETTER_RETENTION));
        Map<String, Object> root = new HashMap<>(Map.of(
                "kafka", kafka,
                "window", Map.of("size", Durations.format(o.window()), "slide", Durations.format(o.slide()), "min-events", 100),
                "baselines", Map.of("directory", baselines.toString()),
                "checkpointing", Map.of("interval", "2s")));
        if (o.score()) {
            // replay: the model that served the traffic (no skew expected); shadow: a candidate with 5% larger weights
            root.put("scoring", Map.of("models", List.of(
                    artifact(work, "demo-logistic", Map.of("role", "replay")),
                    artifact(work, "demo-logistic-candidate", Map.of("role", "shadow", "shadow-version", "v2-candidate")))));
        }
        if (o.airflowUrl() != null) {
            if (System.getenv(AIRFLOW_PASSWORD_ENV) == null) {
                throw new IllegalArgumentException("--airflow-url: set " + AIRFLOW_PASSWORD_ENV + " to the Airflow password");
            }
            root.put("airflow", Map.of("base-url", o.airflowUrl(), "api-version", 3, "dag-id", "driftwatch_retrain",
                    "username", "driftwatch", "password-env", AIRFLOW_PASSWORD_ENV));
        }
        return DriftConfig.fromMap(root);
    }

    /** A scoring entry for one of the demo's models, copied out of the classpath into the work directory. */
    private static Map<String, Object> artifact(Path work, String name, Map<String, Object> role) throws java.io.IOException {
        Path file = work.resolve(name + ".onnx");
        try (var in = Demo.class.getResourceAsStream("/models/" + name + ".onnx")) {
            Files.write(file, in.readAllBytes());
        }
        Map<String, Object> m = new HashMap<>(role);
        m.put("model", MODEL);
        m.put("path", file.toString());
        m.put("sha256", dev.driftwatch.io.TableReader.sha256Of(file));
        m.put("output-name", "prediction");
        return m;
    }

    private void printAlerts(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "driftwatch-demo-printer");
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("drift-alerts"));
            while (!stopping.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        DriftAlert a = DriftAlert.fromByteBuffer(ByteBuffer.wrap(r.value()));
                        alerts.incrementAndGet();
                        out.println();
                        out.print(AlertText.format(a));
                        out.println();
                    } catch (Exception e) {
                        out.println("(undecodable record on the alert topic at offset " + r.offset() + ")");
                    }
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "20");
        return new KafkaProducer<>(p);
    }

    /** Event-time offsets as minutes and seconds, e.g. 17m30s. */
    static String clock(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? s / 60 + "m" : s / 60 + "m" + String.format(Locale.ROOT, "%02ds", s % 60);
    }

    private static void deleteRecursively(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
