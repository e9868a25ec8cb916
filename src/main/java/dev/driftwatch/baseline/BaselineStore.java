package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.io.AvroContainerReader;
import dev.driftwatch.io.InputException;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of baselines: one Avro container file of FeatureBaseline records per model version, named
 * {@code <model>__<version>.avro}. What `baseline build` writes and the job's directory source reads.
 */
public final class BaselineStore {
    public static final String SUFFIX = ".avro";

    private BaselineStore() {}

    /** File name of a model version's baselines. */
    public static String fileName(String model, String version) {
        return safe(model) + "__" + safe(version) + SUFFIX;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Writes (replacing) the baselines of one model version into dir; returns the file. */
    public static Path write(Path dir, Collection<FeatureBaseline> baselines) {
        if (baselines.isEmpty()) {
            throw new IllegalArgumentException("no baselines to write");
        }
        FeatureBaseline first = baselines.iterator().next();
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(fileName(first.getModel(), first.getVersion()));
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            try (DataFileWriter<FeatureBaseline> w = new DataFileWriter<>(new SpecificDatumWriter<>(FeatureBaseline.class))) {
                w.create(FeatureBaseline.getClassSchema(), tmp.toFile());
                for (FeatureBaseline b : baselines) {
                    w.append(b);
                }
            }
            // atomic so a job reading the directory never sees half a file
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write baselines to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads one baseline file; a truncated, corrupt or foreign file is an {@link InputException} naming it. */
    public static List<FeatureBaseline> readFile(Path file) {
        return AvroContainerReader.readAll(file, FeatureBaseline.class);
    }

    /** Reads every baseline file of a directory (or one file). */
    public static List<FeatureBaseline> read(Path dirOrFile) {
        if (!Files.isDirectory(dirOrFile)) {
            if (!Files.exists(dirOrFile)) {
                throw new IllegalArgumentException("baseline location " + dirOrFile + " does not exist");
            }
            return readFile(dirOrFile);
        }
        List<FeatureBaseline> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dirOrFile)) {
            for (Path p : files.filter(p -> p.toString().endsWith(SUFFIX)).sorted().toList()) {
                out.addAll(readFile(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list baseline directory " + dirOrFile + ": " + e.getMessage(), e);
        }
        return out;
    }
}
