package dev.driftwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineBuilder;
import dev.driftwatch.io.CategoricalColumn;
import dev.driftwatch.io.Column;
import dev.driftwatch.io.InputException;
import dev.driftwatch.io.NumericColumn;
import dev.driftwatch.io.Table;
import dev.driftwatch.profile.DriftTest;
import dev.driftwatch.profile.DriftTests;
import dev.driftwatch.profile.DriftThresholds;
import dev.driftwatch.profile.FeatureProfile;
import dev.driftwatch.profile.TestOutcome;
import dev.driftwatch.stats.MultipleTesting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code driftwatch compare} computes: each column of the current table judged against the same column of
 * the reference table, through the same code as the streaming job. The reference becomes a {@link Baseline}
 * (quantile bins of the reference, every reference value as the KS sample), the current column a
 * {@link FeatureProfile} that keeps every value, and {@link DriftTests} runs the tests. A column drifts when KS
 * (numeric) or chi-square (categorical) rejects at alpha after Bonferroni across the columns, or when PSI reaches
 * the PSI threshold; the dataset drifts when the share of drifted columns reaches {@link #DATASET_DRIFT_SHARE}.
 */
public record DatasetComparison(
        List<ColumnComparison> columns,
        double alpha,
        double correctedAlpha,
        double psiThreshold) {

    /** Share of drifted columns at which the whole dataset counts as drifted. */
    public static final double DATASET_DRIFT_SHARE = 0.5;

    /** Compares every column of current against the same column of reference. */
    public static DatasetComparison of(Table reference, Table current, int bins, DriftThresholds thresholds) {
        checkSameColumns(reference, current);
        int m = reference.columnNames().size();
        double corrected = MultipleTesting.bonferroniAlpha(thresholds.alpha(), m);
        BaselineBuilder builder = new BaselineBuilder("compare", "reference", bins, BaselineBuilder.ALL_VALUES,
                BaselineBuilder.DEFAULT_TOP_CATEGORIES, BaselineBuilder.lineage(reference, Instant.now()));
        List<ColumnComparison> out = new ArrayList<>(m);
        for (String name : reference.columnNames()) {
            Column ref = reference.column(name);
            Column cur = current.column(name);
            if (ref.count() == 0) {
                throw new InputException(reference.source(), name,
                        "has no values (all " + ref.missing() + " cells are missing); nothing to compare");
            }
            if (cur.count() == 0) {
                throw new InputException(current.source(), name,
                        "has no values (all " + cur.missing() + " cells are missing); nothing to compare");
            }
            Baseline baseline = new Baseline(builder.build(reference, ref));
            FeatureProfile profile = profile(baseline, cur);
            out.add(judge(name, ref, cur, DriftTests.evaluate(profile, thresholds), corrected, thresholds, m));
        }
        return new DatasetComparison(List.copyOf(out), thresholds.alpha(), corrected, thresholds.psi());
    }

    private static void checkSameColumns(Table reference, Table current) {
        Set<String> onlyReference = new LinkedHashSet<>(reference.columnNames());
        onlyReference.removeAll(current.columnNames());
        Set<String> onlyCurrent = new LinkedHashSet<>(current.columnNames());
        onlyCurrent.removeAll(reference.columnNames());
        if (!onlyReference.isEmpty()) {
            throw new InputException(current.source(), String.join("', '", onlyReference),
                    "missing here but present in the reference " + reference.source());
        }
        if (!onlyCurrent.isEmpty()) {
            throw new InputException(current.source(), String.join("', '", onlyCurrent),
                    "not in the reference " + reference.source());
        }
    }

    private static FeatureProfile profile(Baseline baseline, Column column) {
        // capacity of the whole column: compare runs KS on every current value, no sampling
        FeatureProfile profile = FeatureProfile.empty(baseline, column.count(),
                BaselineBuilder.sampleSeed("compare", "current", column.name()));
        if (column instanceof NumericColumn n) {
            for (double v : n.values()) {
                profile.add(v);
            }
        } else {
            for (String v : ((CategoricalColumn) column).values()) {
                profile.addCategory(v);
            }
        }
        for (long i = 0; i < column.missing(); i++) {
            profile.addMissing();
        }
        return profile;
    }

    private static ColumnComparison judge(String name, Column ref, Column cur, List<TestOutcome> outcomes,
                                          double corrected, DriftThresholds thresholds, int m) {
        Double ksStatistic = null, ksP = null, chi2 = null, chi2P = null;
        double psi = Double.NaN, kl = Double.NaN;
        List<String> reasons = new ArrayList<>();
        String correction = m > 1 ? String.format(Locale.ROOT, " (alpha %s / %d columns)", num(thresholds.alpha()), m) : "";
        for (TestOutcome o : outcomes) {
            switch (o.test()) {
                case KS -> {
                    ksStatistic = o.statistic();
                    ksP = o.pValue();
                    if (o.drifted(corrected)) {
                        reasons.add(String.format(Locale.ROOT, "KS p=%s < %s%s", num(ksP), num(corrected), correction));
                    }
                }
                case CHI2 -> {
                    chi2 = o.statistic();
                    chi2P = o.pValue();
                    if (o.drifted(corrected)) {
                        reasons.add(String.format(Locale.ROOT, "chi-square p=%s < %s%s", num(chi2P), num(corrected), correction));
                    }
                }
                case PSI -> {
                    psi = o.statistic();
                    if (o.drifted()) {
                        reasons.add(String.format(Locale.ROOT, "PSI %s >= %s", num(psi), num(thresholds.psi())));
                    }
                }
                case KL -> kl = o.statistic();
                default -> {
                    // missing-rate change is reported by counts here; it is not a compare criterion
                }
            }
        }
        return new ColumnComparison(name, ref.kind(), ref.count(), cur.count(), ref.missing(), cur.missing(),
                ksStatistic, ksP, psi, kl, chi2, chi2P, !reasons.isEmpty(), List.copyOf(reasons));
    }

    /** Three significant digits without trailing zeros: 0.0025, 1.23e-09, 0. */
    private static String num(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v == 0 ? "0" : Double.toString(v);
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }

    public List<String> driftedColumns() {
        return columns.stream().filter(ColumnComparison::drifted).map(ColumnComparison::name).toList();
    }

    /** Drifted columns / all columns. */
    public double driftShare() {
        return columns.isEmpty() ? 0 : (double) driftedColumns().size() / columns.size();
    }

    public boolean datasetDrift() {
        return driftShare() >= DATASET_DRIFT_SHARE;
    }

    /** The JSON document of {@code compare --format json} (a public contract; see README.md). */
    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode cols = root.putObject("columns");
        for (ColumnComparison c : columns) {
            ObjectNode o = cols.putObject(c.name());
            o.put("kind", c.kind() == FeatureKind.NUMERIC ? "numeric" : "categorical");
            o.put("n_reference", c.nReference());
            o.put("n_current", c.nCurrent());
            o.put("missing_reference", c.missingReference());
            o.put("missing_current", c.missingCurrent());
            o.put("ks_statistic", c.ksStatistic());
            o.put("ks_pvalue", c.ksPValue());
            o.put("psi", c.psi());
            o.put("kl", c.kl());
            o.put("chi2_statistic", c.chi2Statistic());
            o.put("chi2_pvalue", c.chi2PValue());
            o.put("drifted", c.drifted());
            ArrayNode reasons = o.putArray("reasons");
            c.reasons().forEach(reasons::add);
        }
        ArrayNode drifted = root.putArray("drifted_columns");
        driftedColumns().forEach(drifted::add);
        root.put("drift_share", driftShare());
        root.put("dataset_drift", datasetDrift());
        return root;
    }

    /** {@link #toJson} as indented text. */
    public String toJsonText() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            return mapper.writeValueAsString(toJson(mapper));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    /** The aligned text table of {@code compare --format table}: one row per column, then a verdict line. */
    public String toTable() {
        String[] head = {"", "column", "kind", "n_ref", "n_cur", "miss_ref", "miss_cur", "ks_D", "ks_p", "chi2", "chi2_p", "psi", "kl", "reasons"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (ColumnComparison c : columns) {
            rows.add(new String[] {
                    c.drifted() ? "*" : "",
                    c.name(),
                    c.kind() == FeatureKind.NUMERIC ? "numeric" : "categorical",
                    Long.toString(c.nReference()),
                    Long.toString(c.nCurrent()),
                    Long.toString(c.missingReference()),
                    Long.toString(c.missingCurrent()),
                    fixed(c.ksStatistic()),
                    pValue(c.ksPValue()),
                    fixed(c.chi2Statistic()),
                    pValue(c.chi2PValue()),
                    fixed(c.psi()),
                    fixed(c.kl()),
                    c.drifted() ? "DRIFT: " + String.join("; ", c.reasons()) : "-"});
        }
        int[] widths = new int[head.length];
        widths[0] = 1; // the drift marker column, so rows line up the same whether or not anything drifted
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean numeric = i >= 3 && i <= 12;
                String cell = numeric ? " ".repeat(widths[i] - r[i].length()) + r[i] : r[i] + " ".repeat(widths[i] - r[i].length());
                line.append(cell).append(i == r.length - 1 ? "" : "  ");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        int drifted = driftedColumns().size();
        sb.append(String.format(Locale.ROOT, "%s: %d of %d columns drifted (share %s %s %s; KS/chi-square p < %s = alpha %s / %d columns, or PSI >= %s)%n",
                datasetDrift() ? "DATASET DRIFT" : "No dataset drift",
                drifted, columns.size(), num(driftShare()), datasetDrift() ? ">=" : "<", num(DATASET_DRIFT_SHARE),
                num(correctedAlpha), num(alpha), columns.size(), num(psiThreshold)));
        return sb.toString();
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pValue(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Kind of every reference column, so the current file is read with the same kinds. */
    public static Map<String, FeatureKind> kindsOf(Table table) {
        Map<String, FeatureKind> out = new LinkedHashMap<>();
        table.columns().forEach(c -> out.put(c.name(), c.kind()));
        return out;
    }
}
