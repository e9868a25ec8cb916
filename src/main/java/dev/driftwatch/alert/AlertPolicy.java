package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.AlertKind;
import dev.driftwatch.avro.AlertStatus;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.Severity;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.profile.DriftTest;
import dev.driftwatch.stats.MultipleTesting;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a model version's per-feature window results into alerts: corrects the p-value tests for the number of
 * features (Bonferroni or Benjamini-Hochberg), computes the drift share, and applies hysteresis: FIRING after
 * {@code consecutive} drifted windows, RESOLVED after as many clean ones, one alert per transition.
 * Pure logic; {@link AlertFunction} runs it in the job.
 */
public final class AlertPolicy implements Serializable {
    private final DriftConfig.Correction correction;
    private final int consecutive;
    private final double driftShareThreshold;

    public AlertPolicy(DriftConfig.Correction correction, int consecutive, double driftShareThreshold) {
        this.correction = correction;
        this.consecutive = consecutive;
        this.driftShareThreshold = driftShareThreshold;
    }

    /** Whether a result is about training-serving skew (a replay artifact) rather than drift. */
    public static AlertKind kindOf(FeatureDriftResult r) {
        for (TestResult t : r.getTests()) {
            if (DriftTest.SKEW_RATE.name().equals(t.getTest())) {
                return AlertKind.SKEW;
            }
        }
        return AlertKind.DRIFT;
    }

    /** Judges one window of one model version. */
    public WindowVerdict judge(List<FeatureDriftResult> results) {
        List<FeatureDriftResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(FeatureDriftResult::getFeature));
        int m = 0;
        for (FeatureDriftResult r : sorted) {
            if (pTest(r) != null) {
                m++;
            }
        }
        boolean[] bhRejected = null;
        double bhCutoff = 0;
        if (correction == DriftConfig.Correction.BH && m > 0) {
            double[] ps = new double[m];
            double q = Double.NaN;
            int i = 0;
            for (FeatureDriftResult r : sorted) {
                TestResult t = pTest(r);
                if (t != null) {
                    ps[i++] = t.getPValue() == null ? Double.NaN : t.getPValue();
                    q = t.getThreshold();
                }
            }
            bhRejected = MultipleTesting.benjaminiHochberg(ps, q);
            double[] sortedPs = ps.clone();
            Arrays.sort(sortedPs);
            for (int k = m; k >= 1; k--) {
                if (sortedPs[k - 1] <= k * q / m) {
                    bhCutoff = k * q / m;
                    break;
                }
            }
            if (bhCutoff == 0) {
                bhCutoff = q / m;
            }
        }
        List<AlertFeature> features = new ArrayList<>(sorted.size());
        List<String> drifted = new ArrayList<>();
        int pIndex = 0;
        for (FeatureDriftResult r : sorted) {
            List<TestResult> corrected = new ArrayList<>(r.getTests().size());
            boolean featureDrifted = false;
            for (TestResult t : r.getTests()) {
                TestResult c = t;
                if (DriftTest.valueOf(t.getTest()).isPValueTest()) {
                    double threshold;
                    boolean d;
                    if (bhRejected != null) {
                        threshold = bhCutoff;
                        d = bhRejected[pIndex];
                    } else {
                        threshold = MultipleTesting.bonferroniAlpha(t.getThreshold(), m);
                        d = t.getPValue() != null && t.getPValue() < threshold;
                    }
                    pIndex++;
                    c = TestResult.newBuilder(t).setThreshold(threshold).setDrifted(d).build();
                }
                featureDrifted |= c.getDrifted();
                corrected.add(c);
            }
            features.add(AlertFeature.newBuilder().setFeature(r.getFeature()).setTests(corrected).build());
            if (featureDrifted) {
                drifted.add(r.getFeature());
            }
        }
        double share = sorted.isEmpty() ? 0 : (double) drifted.size() / sorted.size();
        return new WindowVerdict(features, drifted, share);
    }

    private static TestResult pTest(FeatureDriftResult r) {
        for (TestResult t : r.getTests()) {
            if (DriftTest.valueOf(t.getTest()).isPValueTest()) {
                return t;
            }
        }
        return null;
    }

    /**
     * Advances the hysteresis of a model version by one window; returns the alert of a transition, if any.
     * {@code state} is updated in place.
     */
    public Optional<DriftAlert> step(AlertState state, WindowVerdict verdict, FeatureDriftResult any, Instant now) {
        state.lastWindowEnd = any.getWindowEnd().toEpochMilli();
        if (verdict.drifted()) {
            state.driftedStreak++;
            state.cleanStreak = 0;
        } else {
            state.cleanStreak++;
            state.driftedStreak = 0;
        }
        if (!state.firing && state.driftedStreak >= consecutive) {
            state.firing = true;
            state.firingFeatures = verdict.driftedFeatures().toArray(new String[0]);
            List<AlertFeature> named = select(verdict, Set.copyOf(verdict.driftedFeatures()));
            // skew means production serves predictions the trained model would not: always critical
            Severity severity = kindOf(any) == AlertKind.SKEW || verdict.driftShare() >= driftShareThreshold
                    ? Severity.CRITICAL : Severity.WARNING;
            return Optional.of(alert(AlertStatus.FIRING, severity, verdict, named, any, now));
        }
        if (state.firing && state.cleanStreak >= consecutive) {
            state.firing = false;
            List<AlertFeature> named = select(verdict, Set.of(state.firingFeatures));
            state.firingFeatures = new String[0];
            return Optional.of(alert(AlertStatus.RESOLVED, Severity.WARNING, verdict, named, any, now));
        }
        return Optional.empty();
    }

    private static List<AlertFeature> select(WindowVerdict verdict, Set<String> names) {
        return verdict.features().stream().filter(f -> names.contains(f.getFeature())).toList();
    }

    private DriftAlert alert(AlertStatus status, Severity severity, WindowVerdict verdict, List<AlertFeature> features,
                             FeatureDriftResult any, Instant now) {
        AlertKind kind = kindOf(any);
        String id = alertId(any.getModel(), any.getModelVersion(), any.getWindowEnd().toEpochMilli(), status, kind);
        BaselineLineage lineage = any.getLineage();
        return DriftAlert.newBuilder()
                .setAlertId(id)
                .setStatus(status)
                .setKind(kind)
                .setSeverity(severity)
                .setModel(any.getModel())
                .setModelVersion(any.getModelVersion())
                .setBaselineVersion(any.getBaselineVersion())
                .setWindowStart(any.getWindowStart())
                .setWindowEnd(any.getWindowEnd())
                .setDriftShare(verdict.driftShare())
                .setFeatures(features)
                .setLineage(lineage)
                .setCreatedAt(now)
                .setSummary(kind == AlertKind.SKEW ? skewSummary(status, any, features)
                        : summary(status, any.getModel(), any.getModelVersion(), verdict, features))
                .build();
    }

    /** Deterministic alert id: a replay of the same windows yields the same ids. */
    public static String alertId(String model, String version, long windowEnd, AlertStatus status, AlertKind kind) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] h = sha.digest((model + '\u0000' + version + '\u0000' + windowEnd + '\u0000' + status + '\u0000' + kind)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String skewSummary(AlertStatus status, FeatureDriftResult any, List<AlertFeature> features) {
        double rate = features.isEmpty() ? Double.NaN : features.get(0).getTests().get(0).getStatistic();
        double threshold = features.isEmpty() ? Double.NaN : features.get(0).getTests().get(0).getThreshold();
        return String.format(Locale.ROOT, "%s %s %s: replayed scores differ from the logged predictions in %.2f%% of events (threshold %.2f%%)",
                status, any.getModel(), any.getModelVersion(), 100 * rate, 100 * threshold);
    }

    static String summary(AlertStatus status, String model, String version, WindowVerdict verdict, List<AlertFeature> features) {
        StringBuilder sb = new StringBuilder();
        sb.append(status).append(' ').append(model).append(' ').append(version).append(": ");
        if (status == AlertStatus.FIRING) {
            sb.append(verdict.driftedFeatures().size()).append('/').append(verdict.features().size()).append(" features drifted");
        } else {
            sb.append("no feature drifted for the last windows");
        }
        if (!features.isEmpty()) {
            sb.append(" (");
            for (int i = 0; i < features.size(); i++) {
                AlertFeature f = features.get(i);
                sb.append(i == 0 ? "" : ", ").append(f.getFeature());
                for (TestResult t : f.getTests()) {
                    if (t.getTest().equals("PSI")) {
                        sb.append(String.format(Locale.ROOT, " PSI %.3f", t.getStatistic()));
                    } else if (t.getTest().equals("KS") || t.getTest().equals("CHI2")) {
                        sb.append(String.format(Locale.ROOT, " %s p=%.2g", t.getTest(), t.getPValue() == null ? Double.NaN : t.getPValue()));
                    }
                }
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
