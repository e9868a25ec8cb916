package dev.driftwatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Debian packages a test drives as a user would (a producer in another language, a command-line
 * consumer) when they are missing, as bin/test installs its own: {@code apt-get update} and {@code apt-get install}.
 * A package that cannot be installed fails the test with apt's words; it never skips it.
 */
public final class DebianPackages {
    private DebianPackages() {}

    /** Runs {@code probe}; when it fails, installs {@code packages} and runs it again, which must then pass. */
    public static synchronized void ensure(List<String> probe, String... packages) throws IOException, InterruptedException {
        if (run(probe).exitCode == 0) {
            return;
        }
        Result update = run(List.of("apt-get", "update", "-qq"));
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
        install.addAll(List.of(packages));
        Result installed = run(install);
        Result again = run(probe);
        if (again.exitCode != 0) {
            throw new IllegalStateException("cannot install " + String.join(" ", packages) + " (needed by this test): "
                    + update.output + installed.output + again.output);
        }
    }

    /** The first of the given programs found on the PATH (Debian's kafkacat package installs kcat or kafkacat). */
    public static String firstOnPath(String... programs) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String p : programs) {
                if (Files.isExecutable(Path.of(dir, p))) {
                    return Path.of(dir, p).toString();
                }
            }
        }
        return null;
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p;
        try {
            p = pb.start();
        } catch (IOException notThere) {
            return new Result(127, notThere.getMessage() + "\n");
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Result(124, output + "\n(timed out)\n");
        }
        return new Result(p.exitValue(), output);
    }
}
