package dev.driftwatch.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.io.AvroBytes;
import dev.driftwatch.local.SyntheticTraffic;
import dev.driftwatch.local.TrainingBaselines;
import dev.driftwatch.ops.cluster.ClusterReport.Alert;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployment FlinkClusterIT checks, run as a program inside a network namespace that holds only loopback (Flink's
 * Prometheus reporter and other listeners bind every interface): a Kafka broker, a Flink standalone session cluster
 * of separate JVMs started as flink-dist's scripts start them, with flink-conf/config.yaml as shipped plus host-local
 * changes, and the job JAR:
 * <ol>
 *   <li>job A through `flink run`, job B through REST upload and run (then cancelled: it only has to run);</li>
 *   <li>a drift episode; checkpoints; driftwatch metrics scraped from A's TaskManager;</li>
 *   <li>kill -9 of A's TaskManager while an alert sits in an open Kafka transaction, a new TaskManager;</li>
 *   <li>stop-with-savepoint of A while a second episode is FIRING, restore at parallelism 1 through `flink run -s`;</li>
 *   <li>the session cluster stopped, the application-mode entrypoint started with docker-compose.yml's jobmanager
 *       arguments and a TaskManager: the run without a kill or a stop, over the same events, that A's alerts must
 *       equal.</li>
 * </ol>
 * Writes a {@link ClusterReport} as JSON; the test asserts on it. Arguments: report file, work directory, Flink
 * distribution (lib/, plugins/), job JAR, project directory.
 */
public final class ClusterScenario {
    static final String MODEL = "fraud";
    static final String VERSION = "v1";
    static final String JOB_CLASS = "dev.driftwatch.DriftJob";
    static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final long EVENT_GAP_MS = 400;
    /** Two episodes of a 1.5 sd mean shift on f3 and f7, each followed by clean traffic that resolves it. */
    static final List<SyntheticTraffic.Shift> SHIFTS = List.of(
            new SyntheticTraffic.Shift(T0 + 20 * MINUTE, T0 + 50 * MINUTE, Set.of("f3", "f7"), 1.5),
            new SyntheticTraffic.Shift(T0 + 80 * MINUTE, T0 + 110 * MINUTE, Set.of("f3", "f7"), 1.5));
    /** Sent before the jobs start: the first episode FIRES in it. */
    static final long PART_ONE_END = T0 + 35 * MINUTE;
    /** Sent while A's TaskManager is killed: the first episode RESOLVES, the second FIRES; its drift goes on after. */
    static final long PART_TWO_END = T0 + 100 * MINUTE;
    /** Sent after A's restore from the savepoint: the rest of the second episode and its resolution. */
    static final long END = T0 + 150 * MINUTE;
    static final int EXPECTED_ALERTS = 4;
    static final String EVENTS = "events";
    /** The job configurations: each run its own alert topic and group id (hence transactional ids). */
    static final List<String> RUNS = List.of("cli", "rest", "probe", "application");
    static final int JM_METRICS_PORT = 9249;
    static final Duration WAIT = Duration.ofMinutes(3);
    static final Pattern SUBMITTED = Pattern.compile("JobID ([0-9a-f]{32})");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * The conf changes one machine needs, and nothing else: addresses and bind hosts on loopback (the shipped file
     * names docker-compose's `jobmanager` service), state directories inside the work directory.
     */
    static Map<String, String> hostLocalChanges(Path work) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", work.resolve("savepoints").toUri().toString());
        return c;
    }

    private final ClusterReport report = new ClusterReport();
    private final List<FlinkLauncher.Started> processes = new ArrayList<>();
    private final Path work;
    private final FlinkDistribution dist;
    private final Path jobJar;
    private final Path project;
    private final long started = System.nanoTime();
    private long phaseStart = System.nanoTime();
    private KafkaTestBroker kafka;
    private FlinkLauncher flink;
    private FlinkRest rest;
    private SyntheticTraffic traffic;

    ClusterScenario(Path work, FlinkDistribution dist, Path jobJar, Path project) {
        this.work = work;
        this.dist = dist;
        this.jobJar = jobJar;
        this.project = project;
    }

    public static void main(String[] args) throws Exception {
        Path reportFile = Path.of(args[0]);
        ClusterScenario s = new ClusterScenario(Path.of(args[1]), new FlinkDistribution(Path.of(args[2])),
                Path.of(args[3]), Path.of(args[4]));
        try {
            s.run();
        } catch (Throwable t) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            s.report.failure = w.toString();
            System.out.println("scenario failed: " + t);
        } finally {
            s.stopFlink();
            s.closeBroker();
            s.deleteTempDirectories();
            s.report.timings.put("total", seconds(s.started));
            JSON.writeValue(reportFile.toFile(), s.report);
            System.out.println("timings (s): " + s.report.timings);
        }
        System.exit(0);
    }

    void run() throws Exception {
        Path conf = work.resolve("conf");
        writeConf(project.resolve("flink-conf/config.yaml"), conf);
        flink = new FlinkLauncher(dist, conf, work.resolve("log"));
        report.javaOptions = flink.javaOptions("taskmanager");
        rest = new FlinkRest("http://127.0.0.1:8081");
        Map<String, Start> session = new LinkedHashMap<>();
        session.put("jobmanager", () -> flink.sessionJobManager("jobmanager", work.resolve("jobmanager/tmp"),
                List.of("-D", "metrics.reporter.prom.port=" + JM_METRICS_PORT)));
        session.put("taskmanager-1", () -> startTaskManager(1, dist.home()));
        session.put("taskmanager-2", () -> startTaskManager(2, dist.home()));
        for (Start start : session.values()) {
            processes.add(start.start());
        }

        // while the cluster's JVMs start: the broker, the baselines, the first part of the traffic
        kafka = new KafkaTestBroker().start();
        kafka.createTopic(EVENTS, 2);
        for (String run : RUNS) {
            kafka.createTopic("alerts-" + run, 1);
            kafka.createTopic("dead-letters-" + run, 1);
        }
        Path baselines = work.resolve("baselines");
        Path training = work.resolve("training.csv");
        Files.writeString(training, SyntheticTraffic.trainingCsv(31, 4000));
        TrainingBaselines.build(training, MODEL, VERSION, "score", baselines);
        for (String run : RUNS) {
            writeJobConfig(run, baselines);
        }
        traffic = new SyntheticTraffic(MODEL, VERSION, 3, SHIFTS);
        produce(T0, PART_ONE_END);
        awaitUp("jobmanager", session);
        phase("broker, traffic part one; session cluster up (JobManager, 2 TaskManagers)");

        // the two submissions at once: `flink run` in its own JVM, REST upload and run from here
        AtomicReference<Exception> cliFailure = new AtomicReference<>();
        Thread cli = new Thread(() -> {
            try {
                report.cli = submitWithCli("cli-run", List.of("run", "-d", "-c", JOB_CLASS, jobJar.toString(),
                        "--config", jobConfig("cli").toString()));
            } catch (Exception e) {
                cliFailure.set(e);
            }
        }, "flink-run");
        cli.start();
        String jarId = rest.uploadJar(jobJar);
        report.rest = new ClusterReport.Submission();
        report.rest.jobId = rest.runJar(jarId, JOB_CLASS, List.of("--config", jobConfig("rest").toString()), 2, null);
        describeRunning(report.rest, rest.awaitRunning(report.rest.jobId, WAIT));
        cli.join();
        if (cliFailure.get() != null) {
            throw cliFailure.get();
        }
        phase("flink run (CLI) and REST upload + run -> RUNNING");

        // what a REST run does when its request names no parallelism (parallelism.default is 2); every slot is
        // taken, so it never runs: it is cancelled once its vertices are known. Then B makes room.
        report.restWithoutParallelism = new ClusterReport.Submission();
        String probe = rest.runJar(jarId, JOB_CLASS, List.of("--config", jobConfig("probe").toString()), null, null);
        report.restWithoutParallelism.jobId = probe;
        describe(report.restWithoutParallelism, FlinkRest.await(() -> rest.job(probe),
                j -> j.path("vertices").size() > 0, WAIT));
        rest.cancel(probe);
        rest.cancel(report.rest.jobId);
        awaitNoJobRunningBut(report.cli.jobId);
        phase("REST run without parallelism (probe); probe and REST run cancelled");

        String a = report.cli.jobId;
        awaitAlerts("cli", l -> l.stream().anyMatch(x -> x.status().equals("FIRING")));
        FlinkRest.await(() -> rest.checkpoints(a), c -> c.path("counts").path("completed").asLong() >= 2, WAIT);
        report.checkpoints = checkpointsOf(a);
        report.metrics = scrapeDriftwatchMetrics(a, report.eventsSent);
        phase("first episode FIRING, 2 checkpoints, metrics scraped");

        killATaskManagerOf(a);
        phase("kill -9 of a TaskManager mid-traffic, TaskManager 3 started, restored from the checkpoint");

        awaitAlerts("cli", l -> l.size() >= 3);
        phase("first episode RESOLVED, second FIRING");

        restoreFromSavepointAtParallelismOne(a);
        phase("stop-with-savepoint, flink run -s -p 1 -> RUNNING");

        produce(PART_TWO_END, END);
        awaitAlerts("cli", l -> l.size() >= EXPECTED_ALERTS);
        // one more checkpoint: a repeated alert would be committed by now
        awaitOneMoreCheckpoint(report.savepointRestore.jobId);
        report.killedRunAlerts = readAlerts("alerts-cli");
        phase("traffic part three: second episode RESOLVED");

        rest.cancel(report.savepointRestore.jobId);
        awaitNoJobRunningBut(null);
        stopFlink();
        phase("session cluster stopped");

        runApplicationMode();
        phase("application mode (compose arguments) -> RUNNING, every alert");
    }

    // ---- the steps ---------------------------------------------------------------------------------------------

    /**
     * TaskManager n, with its own Prometheus port and a resource id that names it (as `taskmanager.sh start -D ...`
     * would), so the REST API's answers say which process runs what.
     */
    private FlinkLauncher.Started startTaskManager(int n, Path flinkHome) throws IOException, InterruptedException {
        return flink.taskManager("taskmanager-" + n, work.resolve("taskmanager-" + n + "/tmp"),
                flinkHome, List.of("-D", "metrics.reporter.prom.port=" + metricsPort(n),
                        "-D", "taskmanager.resource-id=taskmanager-" + n));
    }

    interface Start {
        FlinkLauncher.Started start() throws Exception;
    }

    /**
     * Until the JobManager answers and the TaskManagers (resource ids = names) have registered. A process that exits
     * while starting is started again, at most twice, as the compose file's {@code restart: unless-stopped} does: on
     * a loaded machine a JVM can miss Pekko's 10 s actor-system start-up timeout and exit. The report lists each.
     */
    private void awaitUp(String jobManager, Map<String, Start> starts) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Integer> restarts = new LinkedHashMap<>();
        while (true) {
            Set<String> up = new TreeSet<>();
            try {
                for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
                    up.add(tm.path("id").asText());
                }
                up.add(jobManager);
            } catch (IOException e) {
                // the JobManager's REST endpoint is not up yet
            }
            if (up.containsAll(starts.keySet())) {
                return;
            }
            for (Map.Entry<String, Start> e : starts.entrySet()) {
                FlinkLauncher.Started p = processes.stream().filter(x -> x.name().equals(e.getKey())).findFirst()
                        .orElseThrow();
                if (up.contains(e.getKey()) || p.process().isAlive()) {
                    continue;
                }
                String why = e.getKey() + " exited with " + p.process().exitValue() + " while starting: "
                        + lastCause(work.resolve("log/" + e.getKey() + ".log"));
                if (restarts.merge(e.getKey(), 1, Integer::sum) > 2) {
                    throw new IllegalStateException(why + " (a third time)");
                }
                report.restartsWhileStarting.add(why);
                System.out.println("restarting: " + why);
                processes.remove(p);
                processes.add(e.getValue().start());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not up after " + WAIT + ": expected " + starts.keySet() + ", up " + up);
            }
            Thread.sleep(500);
        }
    }

    /** The last "Caused by" line of a log, the short reason a Flink process gives for exiting. */
    static String lastCause(Path log) {
        try {
            List<String> causes = Files.readAllLines(log).stream().filter(l -> l.startsWith("Caused by")).toList();
            return causes.isEmpty() ? "(no cause logged)" : causes.get(causes.size() - 1);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** One Prometheus port per process: the shipped range 9249-9250 fits a JobManager and one TaskManager. */
    static int metricsPort(int taskManager) {
        return JM_METRICS_PORT + 1 + taskManager;
    }

    private ClusterReport.Submission submitWithCli(String name, List<String> args) throws Exception {
        ClusterReport.Submission s = new ClusterReport.Submission();
        FlinkLauncher.CliRun run = flink.cli(name, work.resolve(name + "/tmp"), args, WAIT);
        Matcher m = SUBMITTED.matcher(run.output());
        if (run.exitCode() != 0 || !m.find()) {
            s.output = "exit " + run.exitCode() + ":\n" + tail(run.output(), 6000);
            throw new IllegalStateException("`flink " + String.join(" ", args) + "` failed: " + s.output);
        }
        s.jobId = m.group(1);
        describeRunning(s, rest.awaitRunning(s.jobId, WAIT));
        return s;
    }

    /**
     * kill -9 of a TaskManager running job A, at a moment when an alert of A sits in an open Kafka transaction (written,
     * not yet committed by a checkpoint): that transaction must be aborted and the alert written again, once. Then a
     * new TaskManager, and A back to RUNNING from its latest checkpoint.
     */
    private void killATaskManagerOf(String a) throws Exception {
        report.kill = new ClusterReport.Kill();
        report.kill.completedCheckpointsBefore = rest.completedCheckpoints(a);
        String victim = taskManagersOf(a).iterator().next();
        report.kill.taskManager = victim;
        FlinkLauncher.Started tm = processes.stream().filter(p -> p.name().equals(victim)).findFirst().orElseThrow();
        AtomicBoolean fed = new AtomicBoolean();
        // part two arrives over several seconds, as live traffic does, so the kill lands while A is processing
        Thread feeder = new Thread(() -> {
            try {
                for (long t = PART_ONE_END; t < PART_TWO_END; t += MINUTE) {
                    produce(t, Math.min(t + MINUTE, PART_TWO_END));
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                fed.set(true);
            }
        }, "traffic-part-two");
        TopicPartition alerts = new TopicPartition("alerts-cli", 0);
        try (KafkaConsumer<byte[], byte[]> uncommitted = consumer("read_uncommitted");
             KafkaConsumer<byte[], byte[]> committed = consumer("read_committed")) {
            uncommitted.assign(List.of(alerts));
            uncommitted.seekToEnd(List.of(alerts));
            uncommitted.position(alerts);
            feeder.start();
            long fallback = Long.MAX_VALUE;
            while (!report.kill.alertInOpenTransaction) {
                for (ConsumerRecord<byte[], byte[]> r : uncommitted.poll(Duration.ofMillis(50))) {
                    long stable = committed.endOffsets(List.of(alerts)).get(alerts);  // read_committed: the LSO
                    if (r.offset() >= stable) {
                        report.kill.alertInOpenTransaction = true;
                        DriftAlert open = decode(r.value());
                        report.kill.openTransactionAlert = open.getStatus() + " window end " + open.getWindowEnd()
                                + " at offset " + r.offset() + " (last stable offset " + stable + ")";
                        break;
                    }
                }
                if (fed.get() && fallback == Long.MAX_VALUE) {
                    fallback = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                }
                if (System.nanoTime() > fallback) {
                    break;   // none seen: kill anyway; the report says so
                }
            }
        }
        report.kill.killedPid = tm.pid();
        new ProcessBuilder("kill", "-9", Long.toString(tm.pid())).inheritIO().start().waitFor();
        report.kill.exitSignal = tm.process().waitFor() - 128;
        processes.add(startTaskManager(3, dist.home()));
        awaitUp("jobmanager", Map.of("taskmanager-3", () -> startTaskManager(3, dist.home())));
        feeder.join();
        JsonNode restored = FlinkRest.await(() -> {
            ObjectNode both = JSON.createObjectNode();
            both.set("job", rest.job(a));
            both.set("checkpoints", rest.checkpoints(a));
            return both;
        }, both -> FlinkRest.allRunning(both.path("job"))
                && both.path("checkpoints").path("latest").path("restored").has("id"), WAIT);
        report.kill.stateAfter = restored.path("job").path("state").asText();
        requireRunning(a, restored.path("job"));
        JsonNode from = restored.path("checkpoints").path("latest").path("restored");
        report.kill.restoredCheckpointId = from.path("id").asLong();
        report.kill.restoredFromSavepoint = from.path("is_savepoint").asBoolean();
        report.kill.taskManagersAfter = new ArrayList<>(taskManagersOf(a));
    }

    /** The TaskManagers (their resource ids: taskmanager-N) that run some task of a job. */
    private Set<String> taskManagersOf(String jobId) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (JsonNode v : rest.job(jobId).path("vertices")) {
            for (JsonNode tm : rest.get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers")
                    .path("taskmanagers")) {
                ids.add(tm.path("taskmanager-id").asText());
            }
        }
        return ids;
    }

    /** Stop-with-savepoint while the second episode is FIRING and drifting on, then `flink run -s` at parallelism 1. */
    private void restoreFromSavepointAtParallelismOne(String a) throws Exception {
        ClusterReport.Restore r = new ClusterReport.Restore();
        report.savepointRestore = r;
        r.savepoint = rest.stopWithSavepoint(a, work.resolve("savepoints").toUri().toString(), WAIT);
        r.savepointMetadataExists = Files.exists(Path.of(URI.create(r.savepoint)).resolve("_metadata"));
        FlinkLauncher.CliRun run = flink.cli("cli-run-restore", work.resolve("cli-run-restore/tmp"),
                List.of("run", "-d", "-s", r.savepoint, "-p", "1", "-c", JOB_CLASS, jobJar.toString(),
                        "--config", jobConfig("cli").toString()), WAIT);
        Matcher m = SUBMITTED.matcher(run.output());
        if (run.exitCode() != 0 || !m.find()) {
            r.output = "exit " + run.exitCode() + ":\n" + tail(run.output(), 6000);
            throw new IllegalStateException("`flink run -s` failed: " + r.output);
        }
        r.jobId = m.group(1);
        JsonNode job = rest.awaitRunning(r.jobId, WAIT);
        r.state = job.path("state").asText();
        r.parallelism = FlinkRest.parallelisms(job);
        requireRunning(r.jobId, job);
        JsonNode from = FlinkRest.await(() -> rest.checkpoints(r.jobId),
                c -> c.path("latest").path("restored").has("id"), WAIT).path("latest").path("restored");
        r.restoredFromSavepoint = from.has("is_savepoint") ? from.path("is_savepoint").asBoolean() : null;
        r.restoredPath = from.path("external_path").asText(null);
    }

    /**
     * The image's `standalone-job` with docker-compose.yml's jobmanager arguments, exactly: the entrypoint reads
     * /opt/driftwatch/driftwatch.yaml, so it runs in a mount namespace of its own where /opt shows the host's /opt
     * plus driftwatch/ (the compose file's mount); the host's /opt is not touched.
     */
    private void runApplicationMode() throws Exception {
        ClusterReport.Application app = new ClusterReport.Application();
        report.application = app;
        JsonNode compose = YAML.readTree(project.resolve("docker-compose.yml").toFile());
        List<String> command = new ArrayList<>();
        compose.path("services").path("jobmanager").path("command").forEach(c -> command.add(c.asText()));
        app.composeCommand = command;
        if (command.isEmpty() || !command.get(0).equals("standalone-job")) {
            throw new IllegalStateException("docker-compose.yml's jobmanager does not run `standalone-job`: " + command);
        }
        // the image's docker-entrypoint.sh runs `standalone-job.sh start-foreground <the rest>`
        List<String> args = command.subList(1, command.size());

        Path home = work.resolve("application/flink");
        Files.createDirectories(home.resolve("usrlib"));
        Files.createSymbolicLink(home.resolve("lib"), dist.lib());
        Files.copy(jobJar, home.resolve("usrlib/driftwatch-job.jar"));   // compose: usrlib/driftwatch-job.jar
        Path view = work.resolve("application/opt-driftwatch");
        Files.createDirectories(view);
        Files.copy(jobConfig("application"), view.resolve("driftwatch.yaml"));
        List<String> wrapper = List.of("unshare", "--mount", "--propagation", "private", "--",
                "bash", "-c", OPT_VIEW, "opt-view", view.toString());
        Map<String, Start> cluster = new LinkedHashMap<>();
        cluster.put("application-jobmanager", () -> flink.applicationJobManager("application-jobmanager",
                work.resolve("application/jobmanager/tmp"), home, args, wrapper));
        // compose mounts the job JAR into every Flink service's usrlib/
        cluster.put("taskmanager-4", () -> startTaskManager(4, home));
        for (Start start : cluster.values()) {
            processes.add(start.start());
        }
        FlinkLauncher.Started jm = processes.get(processes.size() - 2);
        app.entrypointArgs = jm.command().subList(jm.command().indexOf(FlinkLauncher.APPLICATION_ENTRYPOINT) + 1,
                jm.command().size());
        awaitUp("application-jobmanager", cluster);
        JsonNode jobs = FlinkRest.await(() -> rest.get("/jobs/overview"), o -> o.path("jobs").size() > 0, WAIT);
        app.jobManagerOutput = tail(Files.readString(work.resolve("log/application-jobmanager.out")), 3000);
        if (jobs == null || jobs.path("jobs").isEmpty()) {
            throw new IllegalStateException("the application-mode JobManager runs no job");
        }
        app.jobId = jobs.path("jobs").get(0).path("jid").asText();
        JsonNode job = rest.awaitRunning(app.jobId, WAIT);
        app.state = job.path("state").asText();
        app.parallelism = FlinkRest.parallelisms(job);
        requireRunning(app.jobId, job);
        awaitAlerts("application", l -> l.size() >= EXPECTED_ALERTS);
        awaitOneMoreCheckpoint(app.jobId);
        report.referenceAlerts = readAlerts("alerts-application");
    }

    /**
     * /opt as the container sees it: a tmpfs over /opt (in this mount namespace only) holding the host's entries,
     * bound back from the covered directory (the shell's working directory), and driftwatch/ from $1.
     */
    static final String OPT_VIEW = String.join("\n",
            "set -e",
            "view=$1; shift",
            "here=$PWD",
            "[ -d /opt ] || mkdir /opt",
            "cd /opt",
            "mount -t tmpfs -o mode=0755 driftwatch-opt /opt",
            "for e in * .[!.]*; do",
            "  [ -e \"$e\" ] || [ -L \"$e\" ] || continue",
            "  if [ -L \"$e\" ]; then ln -s \"$(readlink \"$e\")\" \"/opt/$e\"; continue; fi",
            "  if [ -d \"$e\" ]; then mkdir \"/opt/$e\"; else touch \"/opt/$e\"; fi",
            "  mount --rbind \"$e\" \"/opt/$e\"",
            "done",
            "mkdir -p /opt/driftwatch",
            "mount --bind \"$view\" /opt/driftwatch",
            "cd \"$here\"",
            "exec \"$@\"");

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** flink-conf/config.yaml with the host-local changes, and the log4j file Flink's processes log with. */
    private void writeConf(Path shipped, Path conf) throws IOException {
        Files.createDirectories(conf);
        ObjectNode yaml = (ObjectNode) YAML.readTree(shipped.toFile());
        Map<String, String> changes = hostLocalChanges(work);
        changes.forEach((key, value) -> setNested(yaml, key, value));
        YAML.writeValue(conf.resolve("config.yaml").toFile(), yaml);
        try (InputStream log4j = ClusterScenario.class.getResourceAsStream("/flink-cluster/log4j.properties")) {
            Files.copy(Objects.requireNonNull(log4j, "flink-cluster/log4j.properties"), conf.resolve("log4j.properties"));
        }
        Configuration before = GlobalConfiguration.loadConfiguration(shipped.getParent().toString());
        Configuration after = GlobalConfiguration.loadConfiguration(conf.toString());
        Set<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            String a = before.getString(k, null);
            String b = after.getString(k, null);
            if (!Objects.equals(a, b)) {
                report.confChanges.put(k, b);
            }
        }
        report.parallelismDefault = after.get(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM);
    }

    static void setNested(ObjectNode root, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }

    private Path jobConfig(String run) {
        return work.resolve("jobs/" + run + ".yaml");
    }

    private void writeJobConfig(String run, Path baselines) throws IOException {
        Map<String, Object> kafkaSection = new LinkedHashMap<>();
        kafkaSection.put("bootstrap-servers", kafka.bootstrapServers());
        kafkaSection.put("events-topic", EVENTS);
        kafkaSection.put("alerts-topic", "alerts-" + run);
        kafkaSection.put("dead-letter-topic", "dead-letters-" + run);
        kafkaSection.put("group-id", run);   // also the sinks' transactional id prefix: one per run
        kafkaSection.put("starting-offsets", "earliest");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("kafka", kafkaSection);
        // idleness far above the scenario's pauses (minutes, waiting on the cluster, where live traffic has none):
        // after a pause longer than the idleness, both partitions are idle, the first one to get records again
        // alone moves the watermark, and the other's records of the same minutes come late
        root.put("window", Map.of("size", "10m", "slide", "2m", "idleness", "30m"));
        root.put("baselines", Map.of("directory", baselines.toString()));
        // the shipped conf's min-pause (5 s) still spaces them
        root.put("checkpointing", Map.of("interval", "2s"));
        Files.createDirectories(jobConfig(run).getParent());
        YAML.writeValue(jobConfig(run).toFile(), root);
    }

    /** Events every 400 ms of event time in [from, to), alternating between the two partitions. */
    private void produce(long from, long to) throws Exception {
        List<byte[]> p0 = new ArrayList<>();
        List<byte[]> p1 = new ArrayList<>();
        for (long t = from; t < to; t += EVENT_GAP_MS) {
            long i = (t - T0) / EVENT_GAP_MS;
            (i % 2 == 0 ? p0 : p1).add(AvroBytes.singleObject(traffic.event(i, t)));
        }
        kafka.send(EVENTS, 0, p0);
        kafka.send(EVENTS, 1, p1);
        synchronized (report) {
            report.eventsSent += p0.size() + p1.size();
        }
    }

    /** Until every job but the given one (null: every job) is in a terminal state. */
    private void awaitNoJobRunningBut(String keep) throws Exception {
        FlinkRest.await(() -> rest.get("/jobs/overview"), o -> {
            for (JsonNode j : o.path("jobs")) {
                String state = j.path("state").asText();
                boolean terminal = Set.of("CANCELED", "FINISHED", "FAILED").contains(state);
                if (!terminal && !j.path("jid").asText().equals(keep)) {
                    return false;
                }
            }
            return true;
        }, WAIT);
    }

    private void awaitOneMoreCheckpoint(String jobId) throws Exception {
        long now = rest.completedCheckpoints(jobId);
        FlinkRest.await(() -> rest.checkpoints(jobId), c -> c.path("counts").path("completed").asLong() > now, WAIT);
    }

    private List<Alert> awaitAlerts(String run, Predicate<List<Alert>> until) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Alert> alerts = readAlerts("alerts-" + run);
        while (!until.test(alerts) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            alerts = readAlerts("alerts-" + run);
        }
        return alerts;
    }

    private List<Alert> readAlerts(String topic) {
        return kafka.readAll(topic, true).stream().map(r -> Alert.of(decode(r.value()))).toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "isolation.level", isolation, "enable.auto.commit", "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private ClusterReport.Checkpoints checkpointsOf(String jobId) throws Exception {
        ClusterReport.Checkpoints c = new ClusterReport.Checkpoints();
        JsonNode cps = rest.checkpoints(jobId);
        JsonNode config = rest.get("/jobs/" + jobId + "/checkpoints/config");
        c.completed = cps.path("counts").path("completed").asLong();
        c.stateBackend = config.path("state_backend").asText();
        c.checkpointStorage = config.path("checkpoint_storage").asText();
        c.latestPath = cps.path("latest").path("completed").path("external_path").asText(null);
        c.latestMetadataExists = c.latestPath != null
                && Files.exists(Path.of(URI.create(c.latestPath)).resolve("_metadata"));
        return c;
    }

    /**
     * driftwatch's metrics as Prometheus scrapes them from the reporters of the TaskManagers that run job A, summed
     * over them, once A has counted every event sent so far.
     */
    private ClusterReport.Metrics scrapeDriftwatchMetrics(String jobId, long eventsSent) throws Exception {
        ClusterReport.Metrics m = new ClusterReport.Metrics();
        for (String tm : taskManagersOf(jobId)) {
            m.urls.add("http://127.0.0.1:" + metricsPort(Integer.parseInt(tm.substring("taskmanager-".length())))
                    + "/metrics");
        }
        m.eventsSentBefore = eventsSent;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            Set<String> names = new TreeSet<>();
            Map<String, Double> sums = new LinkedHashMap<>();
            for (String url : m.urls) {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (String line : body.lines().toList()) {
                    if (line.startsWith("flink_taskmanager_job_task_operator_driftwatch_")) {
                        int end = line.indexOf('{') > 0 ? line.indexOf('{') : line.indexOf(' ');
                        String name = line.substring(0, end);
                        names.add(name);
                        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        sums.merge(name, Double.isFinite(value) ? value : 0, Double::sum);
                    }
                }
            }
            m.driftwatchMetrics = new ArrayList<>(names);
            m.eventsValid = sums.getOrDefault("flink_taskmanager_job_task_operator_driftwatch_events_valid", 0.0);
            m.windowsEvaluated = sums.getOrDefault("flink_taskmanager_job_task_operator_driftwatch_windows_evaluated", 0.0);
            m.alertsFiring = sums.getOrDefault("flink_taskmanager_job_task_operator_driftwatch_alerts_firing", 0.0);
            if (m.eventsValid >= eventsSent) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return m;
    }

    private static void describe(ClusterReport.Submission s, JsonNode job) {
        s.state = job.path("state").asText();
        s.parallelism = FlinkRest.parallelisms(job);
    }

    /** Records a job's state and parallelism; one that is not RUNNING ends the scenario (nothing after can work). */
    private static void describeRunning(ClusterReport.Submission s, JsonNode job) {
        describe(s, job);
        requireRunning(s.jobId, job);
    }

    private static void requireRunning(String jobId, JsonNode job) {
        if (!FlinkRest.allRunning(job)) {
            throw new IllegalStateException("job " + jobId + " is not running: " + job);
        }
    }

    static DriftAlert decode(byte[] bytes) {
        try {
            return DriftAlert.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void phase(String name) {
        report.timings.put(name, seconds(phaseStart));
        System.out.printf("%6.1f s  %s%n", seconds(phaseStart), name);
        phaseStart = System.nanoTime();
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
    }

    static String tail(String s, int chars) {
        return s.length() <= chars ? s : s.substring(s.length() - chars);
    }

    /** SIGTERM to every Flink process still running (as the scripts' stop does), SIGKILL after 30 s. */
    private void stopFlink() {
        for (FlinkLauncher.Started p : processes) {
            p.process().destroy();
        }
        for (FlinkLauncher.Started p : processes) {
            try {
                if (!p.process().waitFor(30, TimeUnit.SECONDS)) {
                    p.process().destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    /** The processes' temp directories (RocksDB's native library, unpacked per process: ~80 MB each); logs stay. */
    private void deleteTempDirectories() {
        try (var dirs = Files.list(work)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                FlinkDistribution.deleteRecursively(d.resolve("tmp"));
            }
            FlinkDistribution.deleteRecursively(work.resolve("application/jobmanager/tmp"));
        } catch (IOException e) {
            System.out.println("deleting temp directories: " + e);
        }
    }

    private void closeBroker() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } catch (Exception e) {
            System.out.println("closing the broker: " + e);
        }
    }
}
