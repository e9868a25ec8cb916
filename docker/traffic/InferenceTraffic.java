import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * Traffic of the docker compose stack: the demo's model (fraud-detector v1, 10 features ~ N(0,1) and a score,
 * dev.driftwatch.local.SyntheticTraffic) on a Kafka broker outside this JVM. Run as a single-file program on
 * driftwatch's classpath (docker/tools/driftwatch-tools.sh):
 *
 * <pre>
 *   java -cp CP InferenceTraffic.java training-csv FILE            # the training set the baselines are built from
 *   java -cp CP InferenceTraffic.java produce --bootstrap-servers kafka:9092 [--topic inference-events]
 *        [--rate 200] [--speedup 30] [--history 6h]
 * </pre>
 *
 * <p>Event time starts --history in the past and runs --speedup times faster than wall time until it reaches
 * now, then runs with the wall clock: the first minutes replay a few hours of history quickly, then the traffic
 * is live (the job refuses event times more than a day ahead, so event time never runs ahead of now). In every
 * event-time hour, f3 and f7 shift by +1.5 from minute 20 to minute 35: one drift episode (FIRING, then
 * RESOLVED) per hour.
 */
public final class InferenceTraffic {
    static final String MODEL = "fraud-detector";
    static final String VERSION = "v1";

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("training-csv")) {
            Files.writeString(Path.of(args[1]), SyntheticTraffic.trainingCsv(7, 5000));
            System.out.println("training set: 5000 rows of f0..f9,score in " + args[1]);
            return;
        }
        if (args.length < 1 || !args[0].equals("produce")) {
            System.err.println("usage: InferenceTraffic training-csv FILE | produce --bootstrap-servers B "
                    + "[--topic inference-events] [--rate 200] [--speedup 30] [--history 6h]");
            System.exit(2);
        }
        String bootstrap = null;
        String topic = "inference-events";
        int rate = 200;
        int speedup = 30;
        Duration history = Duration.ofHours(6);
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = args[i + 1];
                case "--topic" -> topic = args[i + 1];
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--speedup" -> speedup = Integer.parseInt(args[i + 1]);
                case "--history" -> history = Duration.parse("PT" + args[i + 1].toUpperCase(Locale.ROOT));
                default -> {
                    System.err.println("unknown flag " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null || rate < 1 || speedup < 1) {
            System.err.println("--bootstrap-servers is required; --rate and --speedup must be at least 1");
            System.exit(2);
        }
        produce(bootstrap, topic, rate, speedup, history);
    }

    static void produce(String bootstrap, String topic, int rate, int speedup, Duration history) throws Exception {
        long startWall = System.currentTimeMillis();
        long startEvent = Instant.ofEpochMilli(startWall).minus(history).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
        List<SyntheticTraffic.Shift> shifts = new ArrayList<>();
        for (long h = startEvent; h < startWall + Duration.ofDays(30).toMillis(); h += 3_600_000L) {
            shifts.add(new SyntheticTraffic.Shift(h + 20 * 60_000L, h + 35 * 60_000L, Set.of("f3", "f7"), 1.5));
        }
        SyntheticTraffic traffic = new SyntheticTraffic(MODEL, VERSION, 2026, shifts);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "20");
        System.out.printf(Locale.ROOT, "traffic: %s %s to %s on %s, %d events/s; event time from %s, %dx wall time until now, "
                        + "then live; f3,f7 shifted by +1.5 from minute 20 to 35 of every hour%n",
                MODEL, VERSION, topic, bootstrap, rate, Instant.ofEpochMilli(startEvent), speedup);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            long i = 0;
            long eventTime = startEvent;
            long nextReport = startWall + 10_000;
            while (true) {
                long now = System.currentTimeMillis();
                long due = (now - startWall) * rate / 1000;
                for (; i < due; i++) {
                    // catching up: event time advances speedup x per event interval; caught up: it is the clock
                    eventTime = Math.min(eventTime + 1000L * speedup / rate, now);
                    byte[] value = AvroBytes.singleObject(traffic.event(i, eventTime));
                    producer.send(new ProducerRecord<>(topic, null, eventTime,
                            Long.toString(i).getBytes(StandardCharsets.UTF_8), value));
                }
                if (now >= nextReport) {
                    long minute = (eventTime / 60_000L) % 60;
                    System.out.printf(Locale.ROOT, "sent %d, event time %s (%s behind now), phase %s%n", i,
                            Instant.ofEpochMilli(eventTime).truncatedTo(ChronoUnit.SECONDS),
                            Duration.ofMillis(now - eventTime).truncatedTo(ChronoUnit.SECONDS),
                            minute >= 20 && minute < 35 ? "shift on f3,f7" : "stable");
                    nextReport += 10_000;
                }
                Thread.sleep(20);
            }
        }
    }
}
