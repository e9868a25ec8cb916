package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.config.Durations;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baselines of a compacted baseline topic as one TaskManager JVM sees them: a daemon thread reads the topic
 * from its beginning, with no consumer group, applies every record (a tombstone retires a baseline) and publishes an
 * immutable {@link BaselineSet} through a volatile reference, so every operator of the JVM reads the newest
 * snapshot for the price of a volatile read. This is the job's "broadcast" of baselines: each JVM reads the small
 * topic itself, so the events' source chain is never broken by a broadcast input.
 *
 * <p>Replaced and retired baselines stay findable by fingerprint for {@link #RETIRED_RETENTION}, so panes counted on
 * them before the change are still tested against the baseline they were counted on.
 */
final class BaselineCatalog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BaselineCatalog.class);
    /** How long a replaced or retired baseline stays findable by fingerprint (wall time). */
    static final Duration RETIRED_RETENTION = Duration.ofDays(1);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> properties;
    private final boolean fallbackToNewest;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Thread thread;

    private volatile BaselineSet snapshot;
    private volatile String lastError;
    private volatile boolean stopped;
    private KafkaConsumer<byte[], byte[]> consumer;

    // touched by the reader thread only
    private final Map<BaselineTopic.Key, Baseline> live = new LinkedHashMap<>();
    private final Map<String, RetiredBaseline> retired = new HashMap<>();
    private long skippedRecords;

    private record RetiredBaseline(Baseline baseline, long retiredAtMillis) {}

    BaselineCatalog(String bootstrapServers, String topic, Map<String, String> properties, boolean fallbackToNewest) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.properties = Map.copyOf(properties);
        this.fallbackToNewest = fallbackToNewest;
        this.snapshot = new BaselineSet(List.of(), List.of(), fallbackToNewest);
        this.thread = new Thread(this, "driftwatch-baselines-" + topic);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The newest snapshot of the topic's live baselines (plus retired ones by fingerprint). */
    BaselineSet snapshot() {
        return snapshot;
    }

    /** Waits until the topic was read up to the end offsets seen when reading started. */
    void awaitLoaded(Duration timeout) {
        try {
            if (!loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String why = lastError;
                throw new IllegalStateException("baselines.topic " + topic + ": could not read the baseline topic to its end within "
                        + Durations.format(timeout) + (why == null ? "" : " (" + why + ")") + "; check kafka.bootstrap-servers and that the topic exists");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for baseline topic " + topic, e);
        }
    }

    void stop() {
        stopped = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(BaselineTopic.consumerProperties(bootstrapServers, properties))) {
                consumer = c;
                if (stopped) {
                    return;
                }
                read(c);
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                // an unreachable broker or a missing topic: keep the last snapshot and try again
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warn("Reading baseline topic {} failed, retrying in 5s: {}", topic, lastError);
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void read(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> parts = BaselineTopic.partitions(c, topic);
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        // a re-read after a failure starts over; what was live stays findable by fingerprint meanwhile
        long now = System.currentTimeMillis();
        live.values().forEach(b -> retired.put(b.fingerprint(), new RetiredBaseline(b, now)));
        live.clear();
        boolean reached = false;
        while (!stopped) {
            ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> r : records) {
                apply(r);
            }
            if (!records.isEmpty() || !reached) {
                if (!reached && BaselineTopic.reachedEnd(c, end)) {
                    reached = true;
                    publish();
                    LOG.info("Baseline topic {} read: {} live baselines, {} records skipped", topic, live.size(), skippedRecords);
                    lastError = null;
                    loaded.countDown();
                } else if (reached) {
                    publish();
                }
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        try {
            BaselineTopic.Key key = BaselineTopic.parseKey(r.key());
            Baseline before;
            if (r.value() == null) {
                before = live.remove(key);
                LOG.info("Baseline {} retired (tombstone at offset {})", key, r.offset());
            } else {
                Baseline b = new Baseline(BaselineTopic.parseValue(key, r.value()));
                before = live.put(key, b);
                if (before != null && before.fingerprint().equals(b.fingerprint())) {
                    before = null;
                }
            }
            if (before != null) {
                retired.put(before.fingerprint(), new RetiredBaseline(before, System.currentTimeMillis()));
            }
        } catch (IllegalArgumentException e) {
            // a bad record must not stop the job: it is skipped and said once, without its bytes
            skippedRecords++;
            LOG.warn("Skipping record {}-{}@{} of baseline topic: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    private void publish() {
        long cutoff = System.currentTimeMillis() - RETIRED_RETENTION.toMillis();
        for (Iterator<RetiredBaseline> it = retired.values().iterator(); it.hasNext(); ) {
            if (it.next().retiredAtMillis() < cutoff) {
                it.remove();
            }
        }
        List<Baseline> formerly = new ArrayList<>(retired.size());
        retired.values().forEach(rb -> formerly.add(rb.baseline()));
        snapshot = new BaselineSet(new ArrayList<>(live.values()), formerly, fallbackToNewest);
    }

    /** Live records of the newest snapshot, for tests and diagnostics. */
    List<FeatureBaseline> liveRecords() {
        List<FeatureBaseline> out = new ArrayList<>();
        for (ModelBaselines mb : snapshot.all()) {
            for (Baseline b : mb.features()) {
                out.add(b.record());
            }
            if (mb.prediction() != null) {
                out.add(mb.prediction().record());
            }
        }
        return out;
    }
}
