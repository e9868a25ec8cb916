package dev.driftwatch.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.driftwatch.alert.AlertPolicy;
import dev.driftwatch.alert.WindowVerdict;
import dev.driftwatch.avro.AlertFeature;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import dev.driftwatch.avro.TestResult;
import dev.driftwatch.config.DriftConfig;
import dev.driftwatch.config.Durations;
import dev.driftwatch.scoring.ScoredEvent;
import dev.driftwatch.scoring.SkewWindowSummary;
import dev.driftwatch.window.ScoringWindowEvaluator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The report of a replay, per model version and window: production's drift (after the same correction the
 * alerts use), its skew rate when a replay artifact is configured, and for a shadow candidate its agreement with
 * production and the drift of its predictions. Written as report.json (for scripts) and report.md (for people).
 */
public final class ReplayReport {
    private final Map<String, Object> json;
    private final String markdown;

    private ReplayReport(Map<String, Object> json, String markdown) {
        this.json = json;
        this.markdown = markdown;
    }

    public Map<String, Object> json() {
        return json;
    }

    public String markdown() {
        return markdown;
    }

    public static ReplayReport of(DriftConfig config, Instant from, Instant to, Path candidate, Replay.Outcome outcome) {
        AlertPolicy policy = new AlertPolicy(config.tests().correction(), config.alerting().consecutive(),
                config.alerting().driftShare());
        Set<String> shadowVersions = outcome.scored().stream().filter(e -> "SHADOW".equals(e.getRole()))
                .map(ScoredEvent::getArtifact).collect(Collectors.toSet());
        // production windows: (model, version, window end) -> results
        Map<String, List<FeatureDriftResult>> production = new TreeMap<>();
        Map<String, FeatureDriftResult> skew = new LinkedHashMap<>();
        Map<String, FeatureDriftResult> shadow = new LinkedHashMap<>();
        for (FeatureDriftResult r : outcome.results()) {
            long end = r.getWindowEnd().toEpochMilli();
            if (shadowVersions.contains(r.getModelVersion())) {
                shadow.put(r.getModel() + "|" + end + "|" + r.getModelVersion(), r);
            } else if (r.getFeature().equals(ScoringWindowEvaluator.SKEW_FEATURE)) {
                skew.put(r.getModel() + "|" + r.getModelVersion() + "|" + end, r);
            } else {
                production.computeIfAbsent(r.getModel() + "|" + r.getModelVersion() + "|" + String.format("%020d", end),
                        k -> new ArrayList<>()).add(r);
            }
        }
        long size = config.window().size().toMillis();
        List<Map<String, Object>> windows = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# driftwatch replay\n\n");
        md.append(String.format(Locale.ROOT, "Range %s .. %s of topic `%s`: %d events. Windows of %s sliding by %s.%s%n%n",
                from, to, config.kafka().eventsTopic(), outcome.eventsInRange(), Durations.format(config.window().size()),
                Durations.format(config.window().slide()), candidate == null ? "" : " Candidate: `" + candidate + "`."));
        md.append("| model | version | window end | events | drifted features | drift share | skew rate | candidate | agreement | mean abs diff | candidate PSI | candidate KS p |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<FeatureDriftResult>> w : production.entrySet()) {
            FeatureDriftResult any = w.getValue().get(0);
            long end = any.getWindowEnd().toEpochMilli();
            WindowVerdict verdict = policy.judge(w.getValue());
            long events = w.getValue().stream().mapToLong(r -> r.getCount() + r.getMissingCount()).max().orElse(0);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", any.getModel());
            row.put("model_version", any.getModelVersion());
            row.put("baseline_version", any.getBaselineVersion());
            row.put("window_start", any.getWindowStart().toString());
            row.put("window_end", any.getWindowEnd().toString());
            row.put("events", events);
            row.put("drifted_features", verdict.driftedFeatures());
            row.put("drift_share", verdict.driftShare());
            FeatureDriftResult s = skew.get(any.getModel() + "|" + any.getModelVersion() + "|" + end);
            row.put("skew_rate", s == null ? null : s.getTests().get(0).getStatistic());
            List<Map<String, Object>> candidates = new ArrayList<>();
            for (String version : shadowVersions) {
                SkewWindowSummary agreement = new SkewWindowSummary();
                for (ScoredEvent e : outcome.scored()) {
                    if (e.getArtifact().equals(version) && e.getModel().equals(any.getModel())
                            && e.getModelVersion().equals(any.getModelVersion())
                            && e.getEventTime() >= end - size && e.getEventTime() < end) {
                        agreement.add(e);
                    }
                }
                FeatureDriftResult pred = shadow.get(any.getModel() + "|" + end + "|" + version);
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("version", version);
                c.put("events_scored", agreement.count());
                c.put("events_compared", agreement.compared());
                c.put("label_agreement", agreement.compared() == 0 ? null : agreement.labelAgreement());
                c.put("mean_abs_difference", agreement.compared() == 0 ? null : agreement.meanAbsoluteDifference());
                c.put("prediction_psi", pred == null ? null : statistic(pred, "PSI"));
                c.put("prediction_ks_pvalue", pred == null ? null : pValue(pred, "KS"));
                c.put("prediction_drifted", pred == null ? null : pred.getTests().stream().anyMatch(TestResult::getDrifted));
                candidates.add(c);
            }
            row.put("candidates", candidates);
            windows.add(row);
            Map<String, Object> c = candidates.isEmpty() ? Map.of() : candidates.get(0);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.2f | %s | %s | %s | %s | %s | %s |%n",
                    any.getModel(), any.getModelVersion(), any.getWindowEnd(), events,
                    verdict.driftedFeatures().isEmpty() ? "-" : String.join(", ", verdict.driftedFeatures()),
                    verdict.driftShare(), num(row.get("skew_rate")), c.getOrDefault("version", "-"),
                    num(c.get("label_agreement")), num(c.get("mean_abs_difference")), num(c.get("prediction_psi")),
                    num(c.get("prediction_ks_pvalue"))));
        }
        List<Map<String, Object>> alerts = new ArrayList<>();
        md.append("\n## Alerts this range would have raised\n\n");
        if (outcome.alerts().isEmpty()) {
            md.append("None.\n");
        }
        for (DriftAlert a : outcome.alerts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alert_id", a.getAlertId());
            m.put("status", a.getStatus().name());
            m.put("kind", a.getKind().name());
            m.put("model", a.getModel());
            m.put("model_version", a.getModelVersion());
            m.put("window_end", a.getWindowEnd().toString());
            m.put("features", a.getFeatures().stream().map(AlertFeature::getFeature).toList());
            m.put("summary", a.getSummary());
            alerts.add(m);
            md.append("- ").append(a.getSummary()).append(" (window ending ").append(a.getWindowEnd()).append(")\n");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("from", from.toString());
        json.put("to", to.toString());
        json.put("topic", config.kafka().eventsTopic());
        json.put("events_in_range", outcome.eventsInRange());
        json.put("window_size", config.window().size().toString());
        json.put("window_slide", config.window().slide().toString());
        json.put("candidate", candidate == null ? null : candidate.toString());
        json.put("windows", windows);
        json.put("alerts", alerts);
        return new ReplayReport(json, md.toString());
    }

    private static Double statistic(FeatureDriftResult r, String test) {
        return r.getTests().stream().filter(t -> t.getTest().equals(test)).map(TestResult::getStatistic).findFirst().orElse(null);
    }

    private static Double pValue(FeatureDriftResult r, String test) {
        return r.getTests().stream().filter(t -> t.getTest().equals(test)).map(TestResult::getPValue).findFirst().orElse(null);
    }

    private static String num(Object o) {
        return o instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : "-";
    }

    /** Writes report.json and report.md into dir; returns the two paths. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path j = dir.resolve("report.json");
        Path m = dir.resolve("report.md");
        Files.writeString(j, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        Files.writeString(m, markdown);
        return List.of(j, m);
    }
}
