package dev.driftwatch.local;

import dev.driftwatch.config.Durations;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in its own JVM on loopback, started
 * from the kafka_2.13 jars on this JVM's classpath: what `driftwatch demo` runs. Stopped (and its process
 * reaped) by {@link #close()} or, on Ctrl-C, by a shutdown hook.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;

    private LocalKafkaBroker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(this::stopProcess, "kafka-broker-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats a fresh log directory under dir and starts the broker on a free loopback port. */
    public static LocalKafkaBroker start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int[] ports = freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "num.partitions=2",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // above the job's transaction timeout, so exactly-once sinks can start
                "transaction.max.timeout.ms=3600000",
                ""));
        String classpath = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("broker.log");
        List<String> format = List.of(java, "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22), "-c", props.toString(), "--ignore-formatted");
        Process f = new ProcessBuilder(format).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!f.waitFor(120, TimeUnit.SECONDS) || f.exitValue() != 0) {
            f.destroyForcibly();
            throw new IOException("formatting the Kafka log directory failed; see " + log);
        }
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + writeLog4j(dir), "-cp", classpath, "kafka.Kafka", props.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LocalKafkaBroker broker = new LocalKafkaBroker(dir, port, p);
        broker.awaitReady(Duration.ofSeconds(90), log);
        return broker;
    }

    private static String writeLog4j(Path dir) throws IOException {
        Path f = dir.resolve("broker-log4j2.properties");
        Files.writeString(f, String.join("\n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.out.ref=out",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=%d %p %c{1} %m%n",
                ""));
        return f.toAbsolutePath().toString();
    }

    private void awaitReady(Duration timeout, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with code " + process.exitValue() + "; see " + log);
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(),
                    "request.timeout.ms", 2000, "default.api.timeout.ms", 3000))) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                Thread.sleep(500);
            }
        }
        close();
        throw new IOException("the Kafka broker did not become ready within " + Durations.format(timeout) + "; see " + log);
    }

    /** CPU time the broker's process has used so far (zero where the platform does not tell). */
    public Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }


    public void createTopics(Map<String, Integer> partitionsByTopic) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach((t, n) -> topics.add(new NewTopic(t, n, (short) 1)));
        createTopics(topics);
    }

    /** Creates one topic with topic configs (retention, cleanup policy). */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    private void createTopics(List<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Distinct free loopback ports: the sockets stay open until all are chosen, so the system cannot hand out one port
     * twice (two listeners on one port stop the broker at start).
     */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress());
                open.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

}
