package dev.driftwatch.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.avro.InferenceEvent;
import dev.driftwatch.scoring.EventScorer;
import dev.driftwatch.scoring.OnnxModelArtifact;
import dev.driftwatch.scoring.OrtBatchScorer;
import dev.driftwatch.config.ScoringModelConfig;
import dev.driftwatch.scoring.SharedOrtSessions;
import dev.driftwatch.event.InferenceEventDecoder;
import dev.driftwatch.io.AvroBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Throughput of the scoring path (event -> feature row in the model's order -> micro-batch ->
 * shared ORT session -> ScoredEvent) against calling OrtSession.run directly on the same rows,
 * already laid out as [batch, 10] float tensors, at batch 1, 32 and 256; then the latency batching
 * adds at given arrival rates (first row in a batch to its score, batch 256, max_delay 20 ms).
 * A plain harness (warm-up, then the median of timed rounds); it prints figures and asserts none.
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test.classpath) dev.driftwatch.bench.ScoringBenchmark [seconds-per-round] [events-per-pass]
 * </pre>
 */
public final class ScoringBenchmark {

    private static final String INPUT = "features";
    private static final String OUTPUT = "prediction";
    private static final int FEATURES = 10;
    // distinct events per pass (second argument): 8192 (about 3 MB of decoded events, beyond this machine's 1 MB
    // L2 per core) reads them cold as a replay of old events would; 1024 keeps them in cache, as in the job, where
    // each event is scored on the thread that decoded it a moment before
    private static int EVENTS = 8_192;

    private ScoringBenchmark() {}

    public static void main(String[] args) throws Exception {
        double roundSeconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        EVENTS = args.length > 1 ? Integer.parseInt(args[1]) : EVENTS;
        Path model = Path.of("src/test/resources/models/handbook_mlp.onnx");
        String sha = OnnxModelArtifact.sha256(Files.readAllBytes(model));
        List<String> names = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            names.add("f" + j);
        }
        Random random = new Random(7);
        InferenceEvent[] events = new InferenceEvent[EVENTS];
        InferenceEventDecoder decoder = new InferenceEventDecoder(true);
        float[] rows = new float[EVENTS * FEATURES];
        for (int i = 0; i < EVENTS; i++) {
            // in the model's order, as a producer that logs the model's input vector writes them (a Python dict
            // keeps that order; a Java HashMap scrambles it, which costs the operator about 1 ns per feature more)
            Map<String, Object> features = new LinkedHashMap<>();
            for (int j = 0; j < FEATURES; j++) {
                float x = (float) random.nextGaussian();
                rows[i * FEATURES + j] = x;
                features.put(names.get(j), (double) x);
            }
            InferenceEvent built = InferenceEvent.newBuilder().setEventId("e" + i).setModelName("mlp").setModelVersion("v1")
                    .setEventTime(Instant.ofEpochMilli(i)).setFeatures(features).setPrediction(0.5).build();
            // as the job sees them: decoded from the Avro bytes a producer writes
            events[i] = decoder.decode(AvroBytes.singleObject(built));
        }

        System.out.printf("ScoringBenchmark: handbook MLP (10 -> 32 -> 1), CPU provider, %d cores, %.1f s rounds, %d events per pass%n",
                Runtime.getRuntime().availableProcessors(), roundSeconds, EVENTS);
        System.out.println("direct: OrtSession.run on the rows already laid out as float batches (a wrapped float[], as ORT's examples do)");
        System.out.println("direct, tuned: the same rows, through a reused direct input buffer and tensor and a pinned output");
        System.out.println("hand-written: direct, but each batch's rows read from the decoded events' feature maps first (Map.get)");
        System.out.println("operator: EventScorer (ScoringOperator's path): decoded event -> row -> MicroBatcher -> OrtBatchScorer -> ScoredEvent");
        System.out.printf("%-6s %14s %14s %14s %14s %10s %12s %10s%n", "batch", "direct ev/s", "tuned ev/s", "hand ev/s",
                "operator ev/s", "op/direct", "op/tuned", "op/hand");
        for (int batch : new int[] {1, 32, 256}) {
            ScoringModelConfig config = config(model, sha, batch, Duration.ofMillis(20));
            try (SharedOrtSessions.Lease lease = SharedOrtSessions.jvmWide().acquire(config)) {
                OrtSession session = lease.session();
                long[] sink = new long[1];
                OrtBatchScorer ort = new OrtBatchScorer(session, lease.signature());
                EventScorer scorer = new EventScorer(config, lease.signature(), ort, Map.of(), EventScorer.Listener.NONE);
                Runnable direct = () -> runDirect(session, rows, batch, sink);
                TunedDirect tunedRunner = new TunedDirect(session, batch);
                Runnable tuned = () -> tunedRunner.run(rows, sink);
                Runnable hand = () -> runHandWritten(session, events, names, batch, sink);
                Runnable operator = () -> runOperatorPath(scorer, events, sink);
                measure(direct, roundSeconds); // warm-up
                measure(tuned, roundSeconds);
                measure(hand, roundSeconds);
                measure(operator, roundSeconds);
                double[] d = new double[5];
                double[] t = new double[5];
                double[] h = new double[5];
                double[] o = new double[5];
                for (int r = 0; r < d.length; r++) { // interleaved so drift on a shared machine hits all four
                    d[r] = measure(direct, roundSeconds);
                    t[r] = measure(tuned, roundSeconds);
                    h[r] = measure(hand, roundSeconds);
                    o[r] = measure(operator, roundSeconds);
                }
                double dm = median(d);
                double tm = median(t);
                double hm = median(h);
                double om = median(o);
                System.out.printf("%-6d %14.0f %14.0f %14.0f %14.0f %10.2f %12.2f %10.2f%n", batch, dm, tm, hm, om,
                        om / dm, om / tm, om / hm);
                tunedRunner.close();
                ort.close();
            }
        }

        System.out.println();
        System.out.println("Latency batching adds (batch 256, max_delay 20 ms): first row in a batch to its score");
        System.out.printf("%-12s %10s %12s %12s %12s%n", "arrival/s", "batches", "mean rows", "p50 ms", "p99 ms");
        ScoringModelConfig config = config(model, sha, 256, Duration.ofMillis(20));
        try (SharedOrtSessions.Lease lease = SharedOrtSessions.jvmWide().acquire(config)) {
            for (int rate : new int[] {1_000, 10_000, 50_000}) {
                latencyAtRate(config, lease, events, rate, Math.max(2.0, roundSeconds * 2));
            }
        }
    }

    private static ScoringModelConfig config(Path model, String sha, int batch, Duration maxDelay) {
        ScoringModelConfig c = ScoringModelConfig.replay("mlp", model.toString(), sha, OUTPUT);
        return new ScoringModelConfig(c.model(), c.path(), c.sha256(), c.role(), null, null, null, OUTPUT, null, null,
                null, batch, maxDelay, c.skewTolerance(), c.skewThreshold(), false);
    }

    /** One pass over all rows, batch by batch, straight into OrtSession.run. */
    private static void runDirect(OrtSession session, float[] rows, int batch, long[] sink) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Set<String> outputs = Set.of(OUTPUT);
        try {
            for (int start = 0; start < EVENTS; start += batch) {
                int n = Math.min(batch, EVENTS - start);
                FloatBuffer in = FloatBuffer.wrap(rows, start * FEATURES, n * FEATURES).slice();
                try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[] {n, FEATURES});
                        OrtSession.Result result = session.run(Map.of(INPUT, tensor), outputs)) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        if (out.get(i) > 2f) {
                            sink[0]++;
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Direct calls as a careful hand-written caller makes them: the rows copied into a direct buffer that ORT reads
     * in place, tensors made once per batch shape, the output written into a pinned tensor.
     */
    private static final class TunedDirect implements AutoCloseable {
        private final OrtSession session;
        private final int batch;
        private final FloatBuffer input;
        private final FloatBuffer output;
        private final OnnxTensor inputTensor;
        private final OnnxTensor outputTensor;

        TunedDirect(OrtSession session, int batch) throws Exception {
            this.session = session;
            this.batch = batch;
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            input = ByteBuffer.allocateDirect(batch * FEATURES * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            output = ByteBuffer.allocateDirect(batch * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            inputTensor = OnnxTensor.createTensor(env, input, new long[] {batch, FEATURES});
            outputTensor = OnnxTensor.createTensor(env, output, new long[] {batch, 1});
        }

        void run(float[] rows, long[] sink) {
            try {
                for (int start = 0; start + batch <= EVENTS; start += batch) {
                    input.clear();
                    input.put(rows, start * FEATURES, batch * FEATURES);
                    try (OrtSession.Result ignored = session.run(Map.of(INPUT, inputTensor), Map.of(OUTPUT, outputTensor))) {
                        for (int i = 0; i < batch; i++) {
                            if (output.get(i) > 2f) {
                                sink[0]++;
                            }
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            inputTensor.close();
            outputTensor.close();
        }
    }

    /** One pass over all events: rows read from each event's feature map into a batch, then run. */
    private static void runHandWritten(OrtSession session, InferenceEvent[] events, List<String> names, int batch,
            long[] sink) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Set<String> outputs = Set.of(OUTPUT);
        float[] rows = new float[batch * FEATURES];
        try {
            for (int start = 0; start < EVENTS; start += batch) {
                int n = Math.min(batch, EVENTS - start);
                for (int i = 0; i < n; i++) {
                    Map<String, Object> features = events[start + i].getFeatures();
                    for (int j = 0; j < FEATURES; j++) {
                        rows[i * FEATURES + j] = ((Double) features.get(names.get(j))).floatValue();
                    }
                }
                try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows, 0, n * FEATURES),
                                new long[] {n, FEATURES});
                        OrtSession.Result result = session.run(Map.of(INPUT, tensor), outputs)) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    for (int i = 0; i < n; i++) {
                        if (out.get(i) > 2f) {
                            sink[0]++;
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One pass over all events through the operator's scoring path. */
    private static void runOperatorPath(EventScorer scorer, InferenceEvent[] events, long[] sink) {
        try {
            EventScorer.ScoredEventSink count = (scored, ts) -> {
                if (scored.getScore() > 2) {
                    sink[0]++;
                }
            };
            for (InferenceEvent event : events) {
                if (scorer.add(event, event.getEventTime().toEpochMilli())) {
                    scorer.flush(count);
                }
            }
            scorer.flush(count);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Events per second over passes repeated for about the given time. */
    private static double measure(Runnable pass, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long passes = 0;
        do {
            pass.run();
            passes++;
        } while (System.nanoTime() < deadline);
        return passes * (double) EVENTS / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Events arrive at a fixed rate (busy-wait pacing); a batch is flushed when full or when its
     * first row has waited max_delay, as the operator's processing-time timer does.
     */
    private static void latencyAtRate(ScoringModelConfig config, SharedOrtSessions.Lease lease,
            InferenceEvent[] events, int rate, double seconds) throws Exception {
        List<Long> latencies = new ArrayList<>();
        long[] rowsScored = new long[1];
        EventScorer scorer = new EventScorer(config, lease.signature(),
                new OrtBatchScorer(lease.session(), lease.signature()), Map.of(), new EventScorer.Listener() {
                    @Override
                    public void skipped(EventScorer.Skip reason) {}

                    @Override
                    public void imputed() {}

                    @Override
                    public void batchScored(int rows, long latencyNanos) {
                        latencies.add(latencyNanos);
                        rowsScored[0] += rows;
                    }
                });
        long maxDelay = config.maxDelay().toNanos();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) (seconds * rate);
        long firstRowAt = 0;
        EventScorer.ScoredEventSink discard = (s, ts) -> {};
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            while (System.nanoTime() < due) {
                if (scorer.pendingRows() > 0 && System.nanoTime() - firstRowAt >= maxDelay) {
                    scorer.flush(discard);
                }
            }
            if (scorer.pendingRows() == 0) {
                firstRowAt = System.nanoTime();
            }
            if (scorer.add(events[(int) (i % events.length)], EventScorer.NO_TIMESTAMP)) {
                scorer.flush(discard);
            }
        }
        scorer.flush(discard);
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-12d %10d %12.1f %12.2f %12.2f%n", rate, sorted.length,
                rowsScored[0] / (double) sorted.length, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
    }

    private static double median(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }
}
