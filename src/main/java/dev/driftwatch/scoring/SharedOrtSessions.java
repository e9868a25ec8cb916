package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.scoring.OnnxModelArtifact.ModelSignature;
import dev.driftwatch.config.ScoringModelConfig.Provider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime sessions of one JVM (one TaskManager): one {@link OrtSession} per artifact
 * (path + sha256 + provider asked for), shared by every slot that scores with it and closed when
 * its last {@link Lease} is closed. A session holds the model's weights and its thread pool, so a
 * TaskManager with eight slots loads a model once, not eight times. OrtSession.run is thread-safe,
 * which is what makes the sharing sound.
 *
 * <p>The execution provider is decided by trying it: getAvailableProviders() lists CUDA whenever
 * the GPU build of ONNX Runtime is on the classpath, GPU or not, so CUDA is added to the session
 * options and the session created; if either throws, the session is created on CPU and a warning
 * says why. {@link Lease#provider()} tells which one runs.
 */
public final class SharedOrtSessions {

    private static final Logger LOG = LoggerFactory.getLogger(SharedOrtSessions.class);
    private static final SharedOrtSessions JVM_WIDE = new SharedOrtSessions();

    private final Map<Key, Entry> sessions = new HashMap<>();

    /** The sessions of this JVM; Flink operators lease from here. */
    public static SharedOrtSessions jvmWide() {
        return JVM_WIDE;
    }

    /**
     * Leases the session of the config's artifact, creating and verifying it on first use.
     *
     * @throws InvalidModelArtifactException when the file is unreadable, its sha256 differs or its
     *     inputs/outputs do not match the config
     */
    public Lease acquire(ScoringModelConfig config) {
        Path path = Path.of(config.path()).toAbsolutePath().normalize();
        Key key = new Key(path, config.sha256().toLowerCase(java.util.Locale.ROOT), config.provider());
        Entry entry;
        synchronized (sessions) {
            entry = sessions.get(key);
            if (entry == null) {
                entry = open(path, config);
                entry.artifact.dropBytes();
                sessions.put(key, entry);
            }
            entry.users++;
        }
        try {
            ModelSignature signature = entry.artifact.verify(entry.session, config);
            return new Lease(key, entry, signature);
        } catch (RuntimeException e) {
            release(key, entry);
            throw e;
        }
    }

    /** How many sessions are open now; for tests and the sessions' own log lines. */
    public int openSessions() {
        synchronized (sessions) {
            return sessions.size();
        }
    }

    private Entry open(Path path, ScoringModelConfig config) {
        OnnxModelArtifact artifact = OnnxModelArtifact.read(path, config.sha256());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (config.provider() == Provider.CUDA) {
            try (OrtSession.SessionOptions options = cpuThreading(new OrtSession.SessionOptions())) {
                options.addCUDA();
                OrtSession session = env.createSession(artifact.bytes(), options);
                LOG.info("scoring artifact {}: ONNX Runtime session on CUDA", path);
                return new Entry(artifact, session, Provider.CUDA, null);
            } catch (OrtException | RuntimeException | LinkageError e) {
                String reason = oneLine(e);
                LOG.warn("scoring artifact {}: CUDA execution provider asked for but it does not start ({});"
                        + " scoring on CPU instead (metric scoring_provider{provider=\"CPU\"})", path, reason);
                return new Entry(artifact, createCpuSession(env, artifact), Provider.CPU, reason);
            }
        }
        return new Entry(artifact, createCpuSession(env, artifact), Provider.CPU, null);
    }

    private static OrtSession createCpuSession(OrtEnvironment env, OnnxModelArtifact artifact) {
        try (OrtSession.SessionOptions options = cpuThreading(new OrtSession.SessionOptions())) {
            return env.createSession(artifact.bytes(), options);
        } catch (OrtException e) {
            throw new InvalidModelArtifactException(
                    "scoring artifact " + artifact.path() + ": ONNX Runtime cannot load it (" + oneLine(e) + ")");
        }
    }

    /**
     * One intra-op thread, no spinning: Flink already runs one task thread per slot, and those
     * threads call run() concurrently on the shared session. ORT's own pool (one thread per core,
     * spin-waiting between runs by default) would compete with them for the same cores, and its
     * spinning burns the CPU the task threads need to build the next batch.
     */
    private static OrtSession.SessionOptions cpuThreading(OrtSession.SessionOptions options) throws OrtException {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    private void release(Key key, Entry entry) {
        OrtSession toClose = null;
        synchronized (sessions) {
            entry.users--;
            if (entry.users == 0 && sessions.get(key) == entry) {
                sessions.remove(key);
                toClose = entry.session;
            }
        }
        if (toClose != null) {
            try {
                toClose.close();
            } catch (OrtException e) {
                LOG.warn("scoring artifact {}: closing its ONNX Runtime session failed: {}", key.path, oneLine(e));
            }
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    private record Key(Path path, String sha256, Provider requested) {}

    private static final class Entry {
        final OnnxModelArtifact artifact;
        final OrtSession session;
        final Provider provider;
        final String fallbackReason;
        int users;

        Entry(OnnxModelArtifact artifact, OrtSession session, Provider provider, String fallbackReason) {
            this.artifact = artifact;
            this.session = session;
            this.provider = provider;
            this.fallbackReason = fallbackReason;
        }
    }

    /** One user's hold on a shared session; close it exactly once when done. */
    public final class Lease implements AutoCloseable {
        private final Key key;
        private final Entry entry;
        private final ModelSignature signature;
        private boolean closed;

        private Lease(Key key, Entry entry, ModelSignature signature) {
            this.key = key;
            this.entry = entry;
            this.signature = signature;
        }

        public OrtSession session() {
            return entry.session;
        }

        /** The provider that runs this session: CUDA only when it was asked for and started. */
        public Provider provider() {
            return entry.provider;
        }

        /** Why CUDA was not used though asked for, or null. */
        public String fallbackReason() {
            return entry.fallbackReason;
        }

        public ModelSignature signature() {
            return signature;
        }

        public OnnxModelArtifact artifact() {
            return entry.artifact;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(key, entry);
        }
    }
}
