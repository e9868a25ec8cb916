package dev.driftwatch.cli;

import dev.driftwatch.config.Durations;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/driftwatch} as a real process, the way a user does, in a given working directory. The
 * script gets this test JVM's classpath (DRIFTWATCH_CLASSPATH) instead of building the project, so a test run
 * never starts a nested Maven build inside its own target directory.
 */
final class CliProcess {
    /** What one run printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static final Path SCRIPT = Path.of("bin", "driftwatch").toAbsolutePath();

    private CliProcess() {}

    static Result run(Path workingDir, String... args) throws IOException, InterruptedException {
        return run(workingDir, Duration.ofMinutes(5), List.of(), List.of(args));
    }

    /**
     * Runs {@code wrapper} (a command that execs the rest, such as setpriv; empty for none) with bin/driftwatch and
     * {@code args}; a run that has not ended after {@code limit} is killed and fails the test as a hang.
     */
    static Result run(Path workingDir, Duration limit, List<String> wrapper, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(SCRIPT.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile());
        pb.environment().put("DRIFTWATCH_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("bin/driftwatch " + String.join(" ", args) + " did not finish within " + Durations.format(limit)
                    + " (it hangs)");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
