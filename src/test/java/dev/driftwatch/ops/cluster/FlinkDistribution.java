package dev.driftwatch.ops.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Flink standalone cluster's {@code lib/} and {@code plugins/}, assembled from Maven Central by
 * {@code scripts/flink-cluster/pom.xml} (flink-dist, the tarball's fat jar, is not published there) into a cache
 * directory that outlives {@code target/}: {@code ~/.cache/driftwatch/flink-<version>-<pom hash>}. A rerun finds it
 * complete and assembles nothing; a changed pom or version assembles a new one beside it.
 */
public record FlinkDistribution(Path home) {
    static final String POM = "scripts/flink-cluster/pom.xml";
    static final String COMPLETE = ".complete";

    public Path lib() {
        return home.resolve("lib");
    }

    public Path plugins() {
        return home.resolve("plugins");
    }

    /** Every jar of lib/ in name order, as flink-dist's config.sh builds the classpath from lib/*.jar. */
    public String classpath() {
        try (Stream<Path> jars = Files.list(lib())) {
            return String.join(":", jars.filter(p -> p.toString().endsWith(".jar")).sorted()
                    .map(Path::toString).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cached distribution for this Flink version and pom, assembled first when missing. Runs Maven: call it
     * where Maven Central is reachable (not inside the test's network namespace).
     *
     * @param mvn the Maven executable
     * @param localRepository the caller's Maven repository (null: Maven's default)
     */
    public static FlinkDistribution assemble(Path projectDir, String flinkVersion, Path cacheDir, String mvn,
                                             String localRepository) throws IOException, InterruptedException {
        Path pom = projectDir.resolve(POM);
        String key = flinkVersion + " " + sha256(Files.readString(pom));
        // keyed by the pom too: a checkout with another pom gets its own lib/, never one from under another's cluster
        Path home = cacheDir.resolve("flink-" + flinkVersion + "-" + key.substring(key.indexOf(' ') + 1, key.indexOf(' ') + 13));
        Files.createDirectories(cacheDir);
        // one assembler at a time: builds of other checkouts share the cache and may be running their clusters from it
        try (FileChannel lock = FileChannel.open(cacheDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            Path marker = home.resolve(COMPLETE);
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(key)) {
                return new FlinkDistribution(home);
            }
            // assembled next to its final place and moved there whole: a killed run never leaves half a lib/ behind
            Path staging = Files.createTempDirectory(cacheDir, "flink-" + flinkVersion + ".assembling-");
            List<String> cmd = new ArrayList<>(List.of(mvn, "-B", "-q", "-f", pom.toString(), "package",
                    "-Dflink.version=" + flinkVersion, "-Dflink.home=" + staging));
            if (localRepository != null && !localRepository.isBlank()) {
                cmd.add("-Dmaven.repo.local=" + localRepository);
            }
            Path log = cacheDir.resolve("flink-" + flinkVersion + ".assemble.log");
            Process p = new ProcessBuilder(cmd).directory(projectDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                deleteRecursively(staging);
                throw new IOException("assembling Flink " + flinkVersion + "'s lib/ with `" + String.join(" ", cmd)
                        + "` failed:\n" + Files.readString(log));
            }
            Files.writeString(staging.resolve(COMPLETE), key);
            deleteRecursively(home);   // an unfinished one (no marker) from a killed run
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            return new FlinkDistribution(home);
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
