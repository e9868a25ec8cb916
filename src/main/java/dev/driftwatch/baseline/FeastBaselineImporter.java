package dev.driftwatch.baseline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.avro.SummaryStats;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports baselines from Feast's data-quality monitoring (Feast >= 0.64, `feast serve_registry --rest-api`):
 * {@code GET {url}/api/v1/monitoring/metrics/baseline?project=P&feature_view_name=V} answers one JSON row per
 * feature (row_count, null_count, null_rate, mean, stddev, min_val, max_val, p50..p99 and a histogram), which
 * becomes one {@link FeatureBaseline} per feature.
 *
 * <p>Numeric histograms are numpy's ({@code np.histogram}, 20 equal-width bins by default): {@code bins} holds the
 * k + 1 edges b_0 < ... < b_k, bin i is [b_i, b_{i+1}) and the last bin [b_{k-1}, b_k] is closed. driftwatch's bins
 * are (e_{i-1}, e_i] with open outer bins, so Feast's inner edges are stored one double lower, e_i =
 * Math.nextDown(b_{i+1}): for every double v, e_{i-1} < v <= e_i exactly when b_i <= v < b_{i+1}, so a production
 * value is counted in the bin Feast would count it in. Values below b_0 count in the first bin and values above b_k
 * in the last (Feast's histogram has no bin for them). Baseline fractions are counts / sum(counts).
 *
 * <p>A Feast baseline holds aggregates only, no training values, so KS cannot be run against it: such baselines are
 * marked {@code ks_support: UNAVAILABLE} with an empty reference sample, and the job runs PSI, KL and the missing
 * rate test on them (chi-square for categoricals), never an approximate KS.
 */
public final class FeastBaselineImporter {
    static final String PATH = "/api/v1/monitoring/metrics/baseline";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public FeastBaselineImporter(Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.timeout = timeout;
    }

    /** The request URL for a project's feature view. */
    public static URI baselineUri(URI registry, String project, String featureView) {
        if (registry.getUserInfo() != null) {
            throw new IllegalArgumentException("--url must not carry credentials (user:password@)");
        }
        String base = registry.toString().replaceAll("/+$", "");
        return URI.create(base + PATH + "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8)
                + "&feature_view_name=" + URLEncoder.encode(featureView, StandardCharsets.UTF_8));
    }

    /** Fetches a feature view's Feast baseline and turns it into baselines of (model, version). */
    public List<FeatureBaseline> importBaselines(URI registry, String project, String featureView, String model, String version) {
        URI uri = baselineUri(registry, project, featureView);
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new FeastImportException("cannot reach the Feast registry at " + uri + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FeastImportException("interrupted while asking the Feast registry at " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new FeastImportException("the Feast registry answered " + response.statusCode() + " to GET " + uri
                    + detail(response.body()));
        }
        return fromResponse(response.body(), uri.toString(), project, featureView, model, version, Instant.now());
    }

    /** Baselines from the body of a baseline response; pure, so tests can feed it any body. */
    public static List<FeatureBaseline> fromResponse(byte[] body, String source, String project, String featureView,
                                                     String model, String version, Instant now) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new FeastImportException("the Feast registry's answer to " + source + " is not JSON: " + oneLine(e.getMessage()), e);
        }
        if (root == null || !root.isArray()) {
            throw new FeastImportException("the Feast registry's answer to " + source + " is not a JSON list of feature metrics");
        }
        // one row per feature: batch-source baselines before log-source ones, the newest computation first
        Map<String, JsonNode> byFeature = new LinkedHashMap<>();
        for (JsonNode row : root) {
            String name = text(row, "feature_name");
            if (name == null) {
                throw new FeastImportException("the Feast registry's answer to " + source + " has a row without feature_name");
            }
            byFeature.merge(name, row, FeastBaselineImporter::preferred);
        }
        if (byFeature.isEmpty()) {
            throw new FeastImportException("Feast has no baseline for feature view '" + featureView + "' of project '" + project
                    + "' (" + source + "); compute one with Feast's monitoring (set_baseline)");
        }
        String sha = sha256(body);
        List<FeatureBaseline> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : byFeature.entrySet()) {
            out.add(feature(e.getKey(), e.getValue(), source, sha, model, version, now));
        }
        return out;
    }

    private static JsonNode preferred(JsonNode a, JsonNode b) {
        boolean aBatch = !"log".equals(text(a, "data_source_type"));
        boolean bBatch = !"log".equals(text(b, "data_source_type"));
        if (aBatch != bBatch) {
            return aBatch ? a : b;
        }
        String ca = text(a, "computed_at");
        String cb = text(b, "computed_at");
        return cb != null && (ca == null || cb.compareTo(ca) > 0) ? b : a;
    }

    private static FeatureBaseline feature(String name, JsonNode row, String source, String sha, String model,
                                           String version, Instant now) {
        String where = "feature '" + name + "' in the Feast answer to " + source;
        long rows = number(row, "row_count", where);
        long nulls = number(row, "null_count", where);
        JsonNode histogram = row.get("histogram");
        if (histogram != null && histogram.isTextual()) {
            // some offline stores keep the histogram as a JSON string
            try {
                histogram = JSON.readTree(histogram.asText());
            } catch (JsonProcessingException e) {
                throw new FeastImportException(where + ": histogram is not JSON: " + oneLine(e.getMessage()), e);
            }
        }
        if (histogram == null || histogram.isNull()) {
            throw new FeastImportException(where + ": no histogram (the feature had no values when Feast computed the baseline)");
        }
        String type = text(row, "feature_type");
        boolean numeric = type == null ? histogram.has("bins") : type.equals("numeric");
        Instant createdAt = instant(text(row, "computed_at"), now);
        BaselineLineage lineage = BaselineLineage.newBuilder()
                .setDatasetSha256(sha)
                .setRows(rows)
                .setCreatedAt(createdAt)
                .setSource(source)
                .setCodeVersion(BaselineBuilder.codeVersion())
                .build();
        FeatureBaseline.Builder b = FeatureBaseline.newBuilder()
                .setModel(model)
                .setVersion(version)
                .setFeature(name)
                .setMissingCount(nulls)
                .setMissingFraction(rows == 0 ? 0 : (double) nulls / rows)
                .setReferenceSample(List.of())
                .setKsSupport(KsSupport.UNAVAILABLE)
                .setLineage(lineage);
        return numeric ? numeric(b, row, histogram, where) : categorical(b, histogram, where);
    }

    private static FeatureBaseline numeric(FeatureBaseline.Builder b, JsonNode row, JsonNode histogram, String where) {
        JsonNode bins = histogram.get("bins");
        JsonNode counts = histogram.get("counts");
        if (bins == null || !bins.isArray() || counts == null || !counts.isArray() || counts.size() == 0
                || bins.size() != counts.size() + 1) {
            throw new FeastImportException(where + ": histogram needs 'bins' (k + 1 edges) and 'counts' (k counts)");
        }
        double[] edges = new double[bins.size()];
        for (int i = 0; i < edges.length; i++) {
            if (!bins.get(i).isNumber() || !Double.isFinite(bins.get(i).asDouble())
                    || (i > 0 && bins.get(i).asDouble() <= edges[i - 1])) {
                throw new FeastImportException(where + ": histogram bins must be finite and increasing");
            }
            edges[i] = bins.get(i).asDouble();
        }
        long[] c = new long[counts.size()];
        long total = 0;
        for (int i = 0; i < c.length; i++) {
            if (!counts.get(i).canConvertToLong() || counts.get(i).asLong() < 0) {
                throw new FeastImportException(where + ": histogram counts must be non-negative integers");
            }
            c[i] = counts.get(i).asLong();
            total += c[i];
        }
        if (total == 0) {
            throw new FeastImportException(where + ": histogram counts are all zero");
        }
        List<Double> inner = new ArrayList<>(c.length - 1);
        for (int i = 1; i < edges.length - 1; i++) {
            inner.add(Math.nextDown(edges[i]));
        }
        List<Double> fractions = new ArrayList<>(c.length);
        for (long v : c) {
            fractions.add((double) v / total);
        }
        return b.setKind(FeatureKind.NUMERIC)
                .setCount(total)
                .setBinEdges(inner)
                .setBinFractions(fractions)
                .setStats(SummaryStats.newBuilder()
                        .setMean(real(row, "mean"))
                        .setStddev(real(row, "stddev"))
                        .setMin(real(row, "min_val"))
                        .setMax(real(row, "max_val"))
                        .setP50(real(row, "p50"))
                        .setP95(real(row, "p95"))
                        .setP99(real(row, "p99"))
                        .build())
                .build();
    }

    private static FeatureBaseline categorical(FeatureBaseline.Builder b, JsonNode histogram, String where) {
        JsonNode values = histogram.get("values");
        if (values == null || !values.isArray()) {
            throw new FeastImportException(where + ": categorical histogram needs 'values' [{value, count}]");
        }
        List<String> categories = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (JsonNode v : values) {
            if (v.get("value") == null || v.get("count") == null || !v.get("count").canConvertToLong()) {
                throw new FeastImportException(where + ": categorical histogram entries need 'value' and 'count'");
            }
            categories.add(v.get("value").asText());
            counts.add(v.get("count").asLong());
        }
        long other = histogram.has("other_count") ? histogram.get("other_count").asLong() : 0;
        long total = other + counts.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            throw new FeastImportException(where + ": categorical histogram counts are all zero");
        }
        List<Double> fractions = new ArrayList<>(counts.size() + 1);
        counts.forEach(n -> fractions.add((double) n / total));
        fractions.add((double) other / total);
        return b.setKind(FeatureKind.CATEGORICAL)
                .setCount(total)
                .setCategories(categories)
                .setCategoryFractions(fractions)
                .setStats(null)
                .build();
    }

    private static String text(JsonNode row, String field) {
        JsonNode v = row.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long number(JsonNode row, String field, String where) {
        JsonNode v = row.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new FeastImportException(where + ": '" + field + "' is missing or not an integer");
        }
        return v.asLong();
    }

    private static double real(JsonNode row, String field) {
        JsonNode v = row.get(field);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    /** Feast's computed_at (ISO-8601, with or without an offset; UTC when none), else the import time. */
    static Instant instant(String text, Instant fallback) {
        if (text == null) {
            return fallback;
        }
        String t = text.trim().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return fallback;
            }
        }
    }

    private static String detail(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.has("detail")) {
                text = n.get("detail").isTextual() ? n.get("detail").asText() : n.get("detail").toString();
            }
        } catch (IOException e) {
            // not JSON: show the start of the body as it is
        }
        text = oneLine(text);
        return text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
