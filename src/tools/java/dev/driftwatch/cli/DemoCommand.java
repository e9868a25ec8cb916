package dev.driftwatch.cli;

import dev.driftwatch.config.Durations;
import dev.driftwatch.local.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code driftwatch demo}: the whole pipeline on one machine, on embedded defaults. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs all of driftwatch locally: a Kafka broker (own JVM), baselines from a generated training set, "
                + "the job in a local Flink cluster (web UI, Prometheus metrics) and synthetic traffic that drifts and recovers. "
                + "Prints every alert as it is committed. Stops after --duration or on Ctrl-C."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "180s", description = "How long to run (wall time), e.g. 120s or 5m. Default: ${DEFAULT-VALUE}.")
    String duration;

    @Option(names = "--rate", defaultValue = "500", description = "Events per second produced. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--speedup", defaultValue = "30", description = "Event time runs this many times faster than wall time. Default: ${DEFAULT-VALUE}.")
    int speedup;

    @Option(names = "--window", defaultValue = "5m", description = "Window size in event time. Default: ${DEFAULT-VALUE}.")
    String window;

    @Option(names = "--slide", defaultValue = "1m", description = "Window slide in event time. Default: ${DEFAULT-VALUE}.")
    String slide;

    @Option(names = "--web-port", defaultValue = "8081", description = "Flink web UI port (loopback). Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Option(names = "--metrics-port", defaultValue = "9249", description = "Prometheus metrics port. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--work-dir", defaultValue = "target/demo", description = "Scratch directory (wiped at start). Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(names = "--score", description = "Also re-score events with the demo's ONNX models (replay and a shadow candidate).")
    boolean score;

    @Option(names = "--airflow-url", description = "Trigger the retraining DAG driftwatch_retrain on this Airflow 3 "
            + "(user driftwatch, password from DRIFTWATCH_DEMO_AIRFLOW_PASSWORD).")
    String airflowUrl;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || speedup < 1) {
            throw new IllegalArgumentException("--rate and --speedup must be at least 1");
        }
        Demo.Options options = new Demo.Options(
                Durations.parse("--duration", duration), rate, speedup, webPort, metricsPort, workDir,
                Durations.parse("--window", window), Durations.parse("--slide", slide),
                score, airflowUrl);
        return new Demo(options, System.out).run();
    }
}
