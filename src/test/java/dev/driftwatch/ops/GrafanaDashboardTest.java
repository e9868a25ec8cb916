package dev.driftwatch.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the structure of the provisioned Grafana dashboard (grafana/dashboards/driftwatch.json): what Grafana
 * would show, without a Grafana (there is none where the tests run). Its PromQL is checked against a live
 * Prometheus by scripts/prometheus-e2e.sh.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("grafana/dashboards/driftwatch.json");
    private static final Path DATASOURCE = Path.of("grafana/provisioning/datasources/prometheus.yml");
    /** Panel types Grafana has deprecated or removed (Angular panels and their old forms). */
    private static final Set<String> DEPRECATED = Set.of("graph", "singlestat", "table-old", "grafana-piechart-panel",
            "grafana-worldmap-panel", "graph-old", "flant-statusmap-panel", "natel-discrete-panel");

    private static JsonNode dashboard;
    private static String pinnedUid;

    @BeforeAll
    static void load() throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        JsonNode datasources = new ObjectMapper(new YAMLFactory()).readTree(DATASOURCE.toFile()).path("datasources");
        assertThat(datasources).as("datasources of %s", DATASOURCE).hasSize(1);
        pinnedUid = datasources.get(0).path("uid").asText();
        assertThat(datasources.get(0).path("type").asText()).isEqualTo("prometheus");
    }

    /** Every panel, rows' nested panels included. */
    private static List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        collect(dashboard.path("panels"), all);
        return all;
    }

    private static void collect(JsonNode panels, List<JsonNode> into) {
        for (JsonNode p : panels) {
            into.add(p);
            collect(p.path("panels"), into);
        }
    }

    private static List<JsonNode> contentPanels() {
        return panels().stream().filter(p -> !p.path("type").asText().equals("row")).toList();
    }

    private static JsonNode panelTitled(String title) {
        return panels().stream().filter(p -> p.path("title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel titled '" + title + "'"));
    }

    @Test
    void usesACurrentSchemaAndNoDeprecatedPanelType() {
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(panels()).extracting(p -> p.path("type").asText()).doesNotContainAnyElementsOf(DEPRECATED);
    }

    @Test
    void pinsTheProvisionedDatasourceInEveryPanelAndTarget() {
        assertThat(pinnedUid).isNotBlank();
        for (JsonNode p : contentPanels()) {
            String title = p.path("title").asText();
            assertThat(p.path("datasource").path("uid").asText()).as("datasource of panel '%s'", title).isEqualTo(pinnedUid);
            assertThat(p.path("targets")).as("targets of panel '%s'", title).isNotEmpty();
            for (JsonNode t : p.path("targets")) {
                assertThat(t.path("datasource").path("uid").asText())
                        .as("datasource of target %s of '%s'", t.path("refId").asText(), title).isEqualTo(pinnedUid);
                assertThat(t.path("expr").asText()).as("expr of target %s of '%s'", t.path("refId").asText(), title)
                        .isNotBlank();
            }
        }
    }

    @Test
    void hasModelAndFeatureVariablesFromLabelValues() {
        JsonNode variables = dashboard.path("templating").path("list");
        for (String name : List.of("model", "feature")) {
            JsonNode v = null;
            for (JsonNode candidate : variables) {
                if (candidate.path("name").asText().equals(name)) {
                    v = candidate;
                }
            }
            assertThat(v).as("template variable %s", name).isNotNull();
            assertThat(v.path("type").asText()).isEqualTo("query");
            assertThat(v.path("datasource").path("uid").asText()).isEqualTo(pinnedUid);
            JsonNode query = v.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            assertThat(text).as("query of $%s", name).startsWith("label_values(").endsWith(", " + name + ")");
        }
    }

    @Test
    void panelsUseTheTemplateVariables() {
        assertThat(panelTitled("PSI per feature (threshold 0.25)").path("targets").get(0).path("expr").asText())
                .contains("model=~\"$model\"").contains("feature=~\"$feature\"");
        assertThat(panelTitled("Drift share").path("targets").get(0).path("expr").asText()).contains("model=~\"$model\"");
    }

    @Test
    void showsAlertStateAsAStateTimeline() {
        JsonNode alertState = panelTitled("Alert state per model");
        assertThat(alertState.path("type").asText()).isEqualTo("state-timeline");
        assertThat(alertState.path("targets").get(0).path("expr").asText()).contains("driftwatch_model_alert_state");
        assertThat(alertState.toString()).contains("FIRING");
    }

    @Test
    void hasEveryPanelTheIssueAsksFor() {
        assertThat(contentPanels()).extracting(p -> p.path("title").asText()).contains(
                "Alert state per model", "Drift share", "KS statistic", "KS p-value (alpha 0.01)",
                "PSI per feature (threshold 0.25)", "KL per feature (threshold 0.1)", "Missing rate",
                "Live quantiles (p50 / p95 / p99)", "Scoring skew rate", "Shadow agreement",
                "Events in / invalid / late / dead-lettered", "Watermark lag", "Airflow trigger outcomes");
        String events = panelTitled("Events in / invalid / late / dead-lettered").path("targets").toString();
        assertThat(events).contains("driftwatch_events_in", "driftwatch_reason_events_invalid", "driftwatch_events_late",
                "driftwatch_dead_letters");
        assertThat(panelTitled("Watermark lag").path("targets").toString()).contains("currentOutputWatermark", "time()");
        assertThat(panelTitled("Shadow agreement").path("targets").toString()).contains("shadow_agreement");
        assertThat(panelTitled("Airflow trigger outcomes").path("targets").toString())
                .contains("airflow_triggers_created", "airflow_triggers_dead_lettered", "airflow_triggers_retried");
    }

    @Test
    void drawsPsiAndKlThresholdsAtTheReferenceDefaults() {
        assertThat(thresholdLine(panelTitled("PSI per feature (threshold 0.25)"))).isEqualTo(0.25);
        assertThat(thresholdLine(panelTitled("KL per feature (threshold 0.1)"))).isEqualTo(0.1);
        assertThat(thresholdLine(panelTitled("KS p-value (alpha 0.01)"))).isEqualTo(0.01);
    }

    /** The red threshold step of a panel whose thresholds are drawn as a line. */
    private static double thresholdLine(JsonNode panel) {
        JsonNode defaults = panel.path("fieldConfig").path("defaults");
        assertThat(defaults.path("custom").path("thresholdsStyle").path("mode").asText()).contains("line");
        JsonNode steps = defaults.path("thresholds").path("steps");
        return steps.get(steps.size() - 1).path("value").asDouble();
    }

    @Test
    void everyExpressionUsesOnlyKnownTemplateVariables() {
        Set<String> known = Set.of("$model", "$feature", "$__rate_interval", "$__interval", "$__range");
        for (JsonNode p : contentPanels()) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                var m = java.util.regex.Pattern.compile("\\$\\{?[A-Za-z_]+").matcher(expr);
                while (m.find()) {
                    assertThat(known).as("variable in '%s'", expr).contains(m.group().replace("{", ""));
                }
            }
        }
    }
}
