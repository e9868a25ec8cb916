package dev.driftwatch.baseline;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the job's operators get baselines from: a serializable description, turned into baselines once per
 * TaskManager JVM and shared between all slots (baselines can hold thousands of reference values per feature;
 * one copy per JVM is enough).
 *
 * <ul>
 *   <li>Directory source: the directory written by `baseline build`, read once per JVM.</li>
 *   <li>Topic source: a compacted baseline topic (see {@link BaselineTopic}) read from its beginning by one
 *       background reader per JVM ({@link BaselineCatalog}); a baseline published or retired while the job runs
 *       is seen by the next pane the job opens, with no restart.</li>
 * </ul>
 * Operators {@link #subscribe()} in their open and close the subscription when they close; the topic reader of a
 * JVM stops when its last subscription closes.
 */
public final class BaselineSource implements Serializable {
    private static final long serialVersionUID = 2L;
    private static final Map<String, BaselineSet> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, SharedCatalog> CATALOGS = new HashMap<>();

    private final String directory;
    private final String topic;
    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final boolean fallbackToNewest;
    private final Duration loadTimeout;

    /** The directory source. */
    public BaselineSource(String directory, boolean fallbackToNewest) {
        this(directory, null, null, Map.of(), fallbackToNewest, Duration.ZERO);
    }

    private BaselineSource(String directory, String topic, String bootstrapServers, Map<String, String> kafkaProperties,
                           boolean fallbackToNewest, Duration loadTimeout) {
        this.directory = directory;
        this.topic = topic;
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = new TreeMap<>(kafkaProperties);
        this.fallbackToNewest = fallbackToNewest;
        this.loadTimeout = loadTimeout;
    }

    /**
     * The topic source: {@code topic} on {@code bootstrapServers}, read with the Kafka client properties given
     * (TLS, SASL, ...). Operators wait up to {@code loadTimeout} at start for the topic to be read to its end.
     */
    public static BaselineSource topic(String bootstrapServers, String topic, Map<String, String> kafkaProperties,
                                       boolean fallbackToNewest, Duration loadTimeout) {
        return new BaselineSource(null, Objects.requireNonNull(topic), Objects.requireNonNull(bootstrapServers),
                kafkaProperties, fallbackToNewest, loadTimeout);
    }

    public boolean isTopic() {
        return topic != null;
    }

    /** The current baselines of a directory source; loads them on first use in this JVM. */
    public BaselineSet current() {
        if (isTopic()) {
            throw new IllegalStateException("a topic source is read through subscribe()");
        }
        String key = Path.of(directory).toAbsolutePath().normalize() + "|" + fallbackToNewest;
        return LOADED.computeIfAbsent(key, k -> new BaselineSet(BaselineStore.read(Path.of(directory)), fallbackToNewest));
    }

    /**
     * Starts (or joins) this JVM's reader of the source and waits until it holds the baselines present at start;
     * {@link Subscription#current()} then returns the newest snapshot.
     */
    public Subscription subscribe() {
        if (!isTopic()) {
            BaselineSet set = current();
            return new Subscription(() -> set, () -> {});
        }
        String key = bootstrapServers + "|" + topic + "|" + fallbackToNewest + "|" + kafkaProperties.hashCode();
        SharedCatalog shared;
        synchronized (CATALOGS) {
            shared = CATALOGS.computeIfAbsent(key, k -> {
                BaselineCatalog c = new BaselineCatalog(bootstrapServers, topic, kafkaProperties, fallbackToNewest);
                c.start();
                return new SharedCatalog(c);
            });
            shared.users++;
        }
        SharedCatalog joined = shared;
        Subscription s = new Subscription(joined.catalog::snapshot, () -> {
            synchronized (CATALOGS) {
                if (--joined.users == 0) {
                    CATALOGS.remove(key);
                    joined.catalog.stop();
                }
            }
        });
        try {
            joined.catalog.awaitLoaded(loadTimeout);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public String describe() {
        return isTopic() ? "baseline topic " + topic : "baseline directory " + directory;
    }

    /** One operator's view of the source; close it when the operator closes. */
    public static final class Subscription implements AutoCloseable {
        private final java.util.function.Supplier<BaselineSet> snapshot;
        private Runnable onClose;

        Subscription(java.util.function.Supplier<BaselineSet> snapshot, Runnable onClose) {
            this.snapshot = snapshot;
            this.onClose = onClose;
        }

        /** The newest baselines: a volatile read for the topic source. */
        public BaselineSet current() {
            return snapshot.get();
        }

        @Override
        public void close() {
            Runnable r = onClose;
            onClose = null;
            if (r != null) {
                r.run();
            }
        }
    }

    private static final class SharedCatalog {
        final BaselineCatalog catalog;
        int users;

        SharedCatalog(BaselineCatalog catalog) {
            this.catalog = catalog;
        }
    }
}
