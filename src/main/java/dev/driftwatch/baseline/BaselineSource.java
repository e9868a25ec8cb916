package dev.driftwatch.baseline;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the job's operators get baselines from. The directory source reads a directory written by
 * `baseline build` once per TaskManager JVM and shares it between all slots (baselines can hold thousands of
 * reference values per feature; one copy per JVM is enough).
 */
public final class BaselineSource implements Serializable {
    private static final Map<String, BaselineSet> LOADED = new ConcurrentHashMap<>();

    private final String directory;
    private final boolean fallbackToNewest;

    public BaselineSource(String directory, boolean fallbackToNewest) {
        this.directory = directory;
        this.fallbackToNewest = fallbackToNewest;
    }

    /** The current baselines; loads them on first use in this JVM. */
    public BaselineSet current() {
        String key = Path.of(directory).toAbsolutePath().normalize() + "|" + fallbackToNewest;
        return LOADED.computeIfAbsent(key, k -> new BaselineSet(BaselineStore.read(Path.of(directory)), fallbackToNewest));
    }

    public String describe() {
        return "baseline directory " + directory;
    }
}
