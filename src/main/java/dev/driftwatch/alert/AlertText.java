package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.TestResult;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** A DriftAlert as a person reads it: a header line, one line per feature with its tests, then lineage. */
public final class AlertText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private AlertText() {}

    public static String format(DriftAlert a) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %s %s  [%s %s]  window %s .. %s UTC%n",
                a.getStatus(), a.getModel(), a.getModelVersion(), a.getKind(), a.getSeverity(),
                TIME.format(a.getWindowStart()), TIME.format(a.getWindowEnd())));
        sb.append("  ").append(a.getSummary()).append(System.lineSeparator());
        for (AlertFeature f : a.getFeatures()) {
            sb.append(String.format(Locale.ROOT, "  %-16s", f.getFeature()));
            for (TestResult t : f.getTests()) {
                sb.append(' ').append(test(t));
            }
            sb.append(System.lineSeparator());
        }
        sb.append(String.format(Locale.ROOT, "  drift share %.2f, baseline %s", a.getDriftShare(), a.getBaselineVersion()));
        if (a.getLineage() != null) {
            String sha = a.getLineage().getDatasetSha256();
            sb.append(String.format(Locale.ROOT, " (training data sha256 %s, %d rows, built %s)",
                    sha.length() > 12 ? sha.substring(0, 12) + "..." : sha, a.getLineage().getRows(),
                    TIME.format(a.getLineage().getCreatedAt())));
        }
        sb.append(System.lineSeparator()).append("  alert ").append(a.getAlertId()).append(System.lineSeparator());
        return sb.toString();
    }

    static String test(TestResult t) {
        String mark = t.getDrifted() ? "*" : "";
        if (t.getPValue() != null) {
            return String.format(Locale.ROOT, "%s%s=%.3f p=%.2g(<%.2g)", mark, t.getTest(), t.getStatistic(), t.getPValue(), t.getThreshold());
        }
        return String.format(Locale.ROOT, "%s%s=%.3f(>=%.3g)", mark, t.getTest(), t.getStatistic(), t.getThreshold());
    }
}
