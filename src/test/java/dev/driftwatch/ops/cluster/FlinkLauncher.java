package dev.driftwatch.ops.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts Flink's processes as the flink-dist scripts do (bin/jobmanager.sh, taskmanager.sh, standalone-job.sh,
 * flink-console.sh and flink, Flink 2.2), which are not on Maven Central:
 * <ul>
 *   <li>JVM options from the configuration: {@code -XX:+IgnoreUnrecognizedVMOptions}, then
 *       {@code env.java.default-opts.all}, {@code env.java.opts.all}, then the role's {@code env.java.default-opts.*}
 *       and {@code env.java.opts.*} (config.sh); nothing else, so a list missing from the configuration is
 *       missing here too;</li>
 *   <li>memory flags and dynamic properties from {@code BashJavaUtils GET_JM_RESOURCE_PARAMS /
 *       GET_TM_RESOURCE_PARAMS --configDir conf}: the first {@code BASH_JAVA_UTILS_EXEC_RESULT:} line is JVM
 *       flags, the second {@code -D key=value} properties for the entrypoint (bash-java-utils.sh);</li>
 *   <li>{@code JVM_ARGS} (the scripts' environment variable) before everything; here it carries the process's own
 *       {@code java.io.tmpdir};</li>
 *   <li>lib/*.jar as the classpath, {@code -Dlog.file} and the conf's log4j file.</li>
 * </ul>
 */
public final class FlinkLauncher {
    public static final String SESSION_ENTRYPOINT = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    public static final String APPLICATION_ENTRYPOINT =
            "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
    public static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    public static final String CLI = "org.apache.flink.client.cli.CliFrontend";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final FlinkDistribution dist;
    private final Path conf;
    private final Path logs;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** A process this launcher started, with the command line it ran. */
    public record Started(String name, Process process, List<String> command) {
        public long pid() {
            return process.pid();
        }
    }

    /** What the CLI printed and its exit code. */
    public record CliRun(int exitCode, String output, List<String> command) {}

    public FlinkLauncher(FlinkDistribution dist, Path conf, Path logs) {
        this.dist = dist;
        this.conf = conf;
        this.logs = logs;
    }

    public Path conf() {
        return conf;
    }

    /** bin/jobmanager.sh start-foreground: dynamic properties first, then --configDir and the arguments. */
    public Started sessionJobManager(String name, Path tmp, List<String> args) throws IOException, InterruptedException {
        ResourceParams params = resourceParams("GET_JM_RESOURCE_PARAMS", args);
        List<String> entryArgs = new ArrayList<>(params.dynamicProperties());
        entryArgs.addAll(List.of("--configDir", conf.toString(), "--executionMode", "cluster"));
        entryArgs.addAll(args);
        return start(name, List.of(), tmp, params.jvmFlags(), "jobmanager", SESSION_ENTRYPOINT, entryArgs,
                dist.home());
    }

    /**
     * bin/standalone-job.sh start-foreground [args], what the flink image's {@code standalone-job} command runs:
     * --configDir before the arguments, the dynamic properties after them. {@code flinkHome} has lib/ and the job's
     * usrlib/ (the entrypoint looks for usrlib/ beside FLINK_LIB_DIR and names its jars relative to the working
     * directory, the image's /opt/flink: TaskManagers must find them there too). {@code wrapper} comes before the
     * java command (e.g. a mount namespace that gives the arguments' paths); it must keep the working directory.
     */
    public Started applicationJobManager(String name, Path tmp, Path flinkHome, List<String> args, List<String> wrapper)
            throws IOException, InterruptedException {
        List<String> entryArgs = new ArrayList<>(List.of("--configDir", conf.toString()));
        entryArgs.addAll(args);
        ResourceParams params = resourceParams("GET_JM_RESOURCE_PARAMS", entryArgs);
        entryArgs.addAll(params.dynamicProperties());
        return start(name, wrapper, tmp, params.jvmFlags(), "jobmanager", APPLICATION_ENTRYPOINT, entryArgs,
                flinkHome);
    }

    /**
     * bin/taskmanager.sh start-foreground [args]: the arguments, --configDir, then the dynamic properties; run in
     * {@code flinkHome} (lib/, and usrlib/ in application mode).
     */
    public Started taskManager(String name, Path tmp, Path flinkHome, List<String> args)
            throws IOException, InterruptedException {
        ResourceParams params = resourceParams("GET_TM_RESOURCE_PARAMS", args);
        List<String> entryArgs = new ArrayList<>(args);
        entryArgs.addAll(List.of("--configDir", conf.toString()));
        entryArgs.addAll(params.dynamicProperties());
        return start(name, List.of(), tmp, params.jvmFlags(), "taskmanager", TASK_MANAGER, entryArgs, flinkHome);
    }

    /** bin/flink [args], run to its end (the job's main() runs in it for `flink run`). */
    public CliRun cli(String name, Path tmp, List<String> args, Duration max) throws IOException, InterruptedException {
        Started s = start(name, List.of(), tmp, List.of(), "client", CLI, args, dist.home());
        if (!s.process().waitFor(max.toSeconds(), TimeUnit.SECONDS)) {
            s.process().destroyForcibly().waitFor();
            return new CliRun(-1, Files.readString(logs.resolve(name + ".out")) + "\n(killed after " + max + ")",
                    s.command());
        }
        return new CliRun(s.process().exitValue(), Files.readString(logs.resolve(name + ".out")), s.command());
    }

    /** The JVM options config.sh builds from env.java.* for a role (jobmanager, taskmanager or client). */
    public List<String> javaOptions(String role) {
        Configuration c = GlobalConfiguration.loadConfiguration(conf.toString());
        List<String> opts = new ArrayList<>(List.of("-XX:+IgnoreUnrecognizedVMOptions"));
        opts.addAll(words(c.getString("env.java.default-opts.all", "")));
        opts.addAll(words(c.getString("env.java.opts.all", c.getString("env.java.opts", ""))));
        if (!role.equals("client")) {
            opts.addAll(words(c.getString("env.java.default-opts." + role, "")));
        }
        opts.addAll(words(c.getString("env.java.opts." + role, "")));
        return opts;
    }

    /** Runs in {@code flinkHome} (FLINK_LIB_DIR is its lib/), as the flink image runs everything in /opt/flink. */
    private Started start(String name, List<String> wrapper, Path tmp, List<String> memoryFlags, String role,
                          String mainClass, List<String> args, Path flinkHome) throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(logs);
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(java);
        cmd.add("-Djava.io.tmpdir=" + tmp);   // JVM_ARGS: each process its own temp directory
        cmd.addAll(memoryFlags);
        cmd.addAll(javaOptions(role));
        cmd.add("-Dlog.file=" + logs.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
        cmd.add("-classpath");
        cmd.add(dist.classpath());
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(flinkHome.toFile()).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".out").toFile());
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        pb.environment().put("FLINK_LIB_DIR", flinkHome.resolve("lib").toString());
        pb.environment().put("FLINK_PLUGINS_DIR", dist.plugins().toString());
        Files.writeString(logs.resolve(name + ".cmd"), String.join(" ", cmd) + "\n");
        return new Started(name, pb.start(), List.copyOf(cmd));
    }

    record ResourceParams(List<String> jvmFlags, List<String> dynamicProperties) {}

    /** Runs BashJavaUtils as bash-java-utils.sh does and splits its two result lines. */
    ResourceParams resourceParams(String command, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "-classpath", dist.classpath(), BASH_JAVA_UTILS, command,
                "--configDir", conf.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("BashJavaUtils " + command + " failed:\n" + out);
        }
        List<String> results = out.lines().filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length())).toList();
        if (results.size() != 2) {
            throw new IOException("BashJavaUtils " + command + ": expected 2 result lines, got:\n" + out);
        }
        return new ResourceParams(words(results.get(0)), words(results.get(1)));
    }

    /** Splits on white space, as the scripts' unquoted expansions do. */
    static List<String> words(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
