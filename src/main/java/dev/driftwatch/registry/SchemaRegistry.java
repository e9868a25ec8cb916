package dev.driftwatch.registry;

import dev.driftwatch.config.SchemaRegistryConfig;
import dev.driftwatch.registry.SchemaRegistryException.Kind;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The Schema Registry as the job's tasks see it: one per registry config and JVM (a TaskManager's slots share it),
 * with caches, so the events source asks the registry about an id once and then never again.
 *
 * <p>The plain idea: look each id up in the registry. What the caches add, and why:
 * <ul>
 *   <li>A found schema is kept (up to {@code cache-size} ids, least recently used out first): an id never changes
 *       its schema, so nothing is ever stale.</li>
 *   <li>An id the registry does not know is remembered as unknown for {@code negative-cache-ttl}, so a topic full of
 *       such records costs one request per id and period, not one per record.</li>
 *   <li>A registry that cannot be reached (or answers an error) is remembered as unavailable for
 *       {@code negative-cache-ttl}: meanwhile every id not cached fails at once, without a request. The source's
 *       task thread decodes records, so at most one request timeout per period holds it up, however many records
 *       need the registry.</li>
 *   <li>Tasks that ask for the same id at once share one request.</li>
 * </ul>
 * Ids already cached never need the registry again, so an outage only touches schemas first seen during it.
 */
public final class SchemaRegistry implements SchemaLookup {
    private static final Map<SchemaRegistryConfig, SchemaRegistry> JVM_WIDE = new HashMap<>();

    private final SchemaRegistryClient client;
    private final SchemaRegistryConfig config;
    private final LongSupplier nanoTime;
    private final Map<Integer, Lookup> byId;
    private final Map<String, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    // registry-wide: no lookup until this time (System.nanoTime) after a failure to get an answer
    private volatile long unavailableUntil;
    private volatile SchemaRegistryException unavailable;
    // set after unavailableUntil and unavailable, and read before them
    private volatile boolean everUnavailable;

    SchemaRegistry(SchemaRegistryClient client, SchemaRegistryConfig config, LongSupplier nanoTime) {
        this.client = client;
        this.config = config;
        this.nanoTime = nanoTime;
        int capacity = config.cacheSize();
        this.byId = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Lookup> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The registry of this config in this JVM, created on first use (credentials and trust store are read then).
     *
     * @throws IllegalArgumentException naming the config key when a credential or the trust store cannot be read
     */
    public static SchemaRegistry shared(SchemaRegistryConfig config) {
        synchronized (JVM_WIDE) {
            return JVM_WIDE.computeIfAbsent(config, c -> new SchemaRegistry(new SchemaRegistryClient(c), c, System::nanoTime));
        }
    }

    /**
     * Drops every shared registry of this JVM and stops their threads. Called when the job's class loader is
     * released (the job ended on this TaskManager), so a session cluster keeps nothing of a finished job.
     */
    public static void releaseAll() {
        synchronized (JVM_WIDE) {
            JVM_WIDE.values().forEach(r -> r.client.close());
            JVM_WIDE.clear();
        }
    }

    @Override
    public Schema schemaById(int id) throws SchemaRegistryException {
        return schemaById(id, () -> { });
    }

    /**
     * The writer schema of {@code id}, from the cache or the registry. Returns or throws within one request's time
     * (connect timeout + request timeout) at most, and at once while the registry is remembered as unavailable.
     *
     * @param onRequest run when this call asked the registry (the caller's metric)
     */
    public Schema schemaById(int id, Runnable onRequest) throws SchemaRegistryException {
        Lookup lookup;
        boolean mine = false;
        synchronized (byId) {
            long now = nanoTime.getAsLong();
            lookup = byId.get(id);
            if (lookup == null || lookup.expired(now)) {
                if (everUnavailable && now - unavailableUntil < 0) {
                    throw unavailable;
                }
                lookup = new Lookup(now + config.negativeCacheTtl().toNanos());
                byId.put(id, lookup);
                mine = true;
            }
        }
        if (mine) {
            onRequest.run();
            requests.incrementAndGet();
            try {
                lookup.result.complete(client.schemaById(id));
            } catch (SchemaRegistryException e) {
                if (e.kind() == Kind.UNAVAILABLE) {
                    markUnavailable(e);
                    synchronized (byId) {
                        byId.remove(id, lookup);
                    }
                }
                lookup.result.completeExceptionally(e);
            } catch (RuntimeException e) {
                SchemaRegistryException failure = new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry "
                        + client.where() + ": " + e.getClass().getSimpleName());
                synchronized (byId) {
                    byId.remove(id, lookup);
                }
                lookup.result.completeExceptionally(failure);
            }
        }
        return await(lookup);
    }

    private Schema await(Lookup lookup) throws SchemaRegistryException {
        Duration bound = config.connectTimeout().plus(config.requestTimeout()).plusSeconds(1);
        try {
            return lookup.result.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SchemaRegistryException sre) {
                throw sre;
            }
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry " + client.where() + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry " + client.where()
                    + ": another task's lookup of this id did not finish within " + bound.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(Kind.UNAVAILABLE, "schema registry " + client.where() + ": interrupted");
        }
    }

    private void markUnavailable(SchemaRegistryException e) {
        Duration ttl = config.negativeCacheTtl();
        unavailable = new SchemaRegistryException(Kind.UNAVAILABLE, e.getMessage() + " (at " + Instant.now()
                + "; ids not seen before are not looked up for " + dev.driftwatch.config.Durations.format(ttl) + ")");
        unavailableUntil = nanoTime.getAsLong() + ttl.toNanos();
        everUnavailable = true;
    }

    /**
     * The id of {@code schema} under {@code subject}: registered there when {@code kafka.schema-registry.auto-register}
     * is on (as Confluent's serializers do by default), else looked up. Cached for the life of the JVM.
     */
    public int idFor(String subject, Schema schema) throws SchemaRegistryException {
        String key = subject + '\u0000' + SchemaNormalization.parsingFingerprint64(schema);
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        requests.incrementAndGet();
        int id = config.autoRegister() ? client.register(subject, schema) : client.lookUp(subject, schema);
        idBySubjectSchema.put(key, id);
        return id;
    }

    /** Whether lookups fail at once now, the registry having been unavailable less than negative-cache-ttl ago. */
    public boolean isUnavailable() {
        return everUnavailable && nanoTime.getAsLong() - unavailableUntil < 0;
    }

    /** Requests this registry has sent, all tasks of the JVM together. */
    public long requests() {
        return requests.get();
    }

    /** Where the registry is (host and port), for messages. */
    public String where() {
        return client.where();
    }

    /** One id's lookup: in flight, done, or failed; a failure other than an invalid schema expires. */
    private static final class Lookup {
        final CompletableFuture<Schema> result = new CompletableFuture<>();
        final long expiresAt;

        Lookup(long expiresAt) {
            this.expiresAt = expiresAt;
        }

        boolean expired(long now) {
            if (!result.isCompletedExceptionally() || now - expiresAt < 0) {
                return false;
            }
            try {
                result.join();
                return false;
            } catch (RuntimeException e) {
                // an id never changes: a schema that is not Avro stays so; an unknown id may be registered later
                return !(e.getCause() instanceof SchemaRegistryException sre && sre.kind() == Kind.INVALID_SCHEMA);
            }
        }
    }
}
