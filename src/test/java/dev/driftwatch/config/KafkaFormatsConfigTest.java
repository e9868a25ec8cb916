package dev.driftwatch.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kafka format keys: the events topic's {@code format}, the output topics' {@code alerts-format} and
 * {@code results-format}, the {@code schema-registry} section they need, and {@code dead-letter-retention}; each
 * mistake is one line naming the key and the fix, and no secret is ever accepted or echoed.
 */
class KafkaFormatsConfigTest {
    @Test
    void defaultsKeepSingleObjectAvroEverywhereNoRegistryAndTheTopicsOwnRetention() {
        DriftConfig.Kafka k = DriftConfig.parse("{}").kafka();
        assertThat(k.format()).isEqualTo(DriftConfig.EventFormat.AVRO_SINGLE_OBJECT);
        assertThat(k.alertsFormat()).isEqualTo(DriftConfig.OutputFormat.AVRO_SINGLE_OBJECT);
        assertThat(k.resultsFormat()).isEqualTo(DriftConfig.OutputFormat.AVRO_SINGLE_OBJECT);
        assertThat(k.schemaRegistry()).isNull();
        assertThat(k.deadLetterRetention()).isNull();
    }

    @Test
    void readsTheRegistrySectionWithItsDefaults() {
        DriftConfig.Kafka k = DriftConfig.parse("""
                kafka:
                  format: schema-registry
                  alerts-format: json
                  results-format: schema-registry
                  dead-letter-retention: 3d
                  schema-registry:
                    url: http://registry:8080/apis/ccompat/v7/
                    username-env: REGISTRY_USER
                    password-file: /run/secrets/registry
                """).kafka();
        assertThat(k.format()).isEqualTo(DriftConfig.EventFormat.SCHEMA_REGISTRY);
        assertThat(k.alertsFormat()).isEqualTo(DriftConfig.OutputFormat.JSON);
        assertThat(k.resultsFormat()).isEqualTo(DriftConfig.OutputFormat.SCHEMA_REGISTRY);
        assertThat(k.deadLetterRetention()).isEqualTo(Duration.ofDays(3));
        SchemaRegistryConfig r = k.schemaRegistry();
        assertThat(r.url()).as("a trailing slash would double in every request path")
                .isEqualTo(URI.create("http://registry:8080/apis/ccompat/v7"));
        assertThat(r.hasCredentials()).isTrue();
        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.cacheSize()).isEqualTo(1000);
        assertThat(r.negativeCacheTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.autoRegister()).isTrue();
    }

    @Test
    void eachMistakeNamesItsKey() {
        assertThatThrownBy(() -> DriftConfig.parse("kafka: {format: schema-registry}"))
                .hasMessage("kafka.schema-registry.url: required, not set (kafka.format is schema-registry)");
        assertThatThrownBy(() -> DriftConfig.parse("kafka: {results-format: schema-registry}"))
                .hasMessage("kafka.schema-registry.url: required, not set (kafka.results-format is schema-registry)");
        assertThatThrownBy(() -> DriftConfig.parse("kafka: {alerts-format: csv}"))
                .hasMessage("kafka.alerts-format: must be one of avro-single-object, json, schema-registry, got 'csv'");
        assertThatThrownBy(() -> DriftConfig.parse("kafka: {format: protobuf}"))
                .hasMessageStartingWith("kafka.format: must be one of avro-single-object, avro-binary, schema-registry");
        assertThatThrownBy(() -> DriftConfig.parse("kafka: {dead-letter-retention: 0}"))
                .hasMessage("kafka.dead-letter-retention: must be positive, got 0s");
        assertThatThrownBy(() -> registry("{url: 'ftp://registry'}"))
                .hasMessageStartingWith("kafka.schema-registry.url: expected http(s)://host[:port][/path]");
        assertThatThrownBy(() -> registry("{url: 'http://registry:8081', username: ops}"))
                .hasMessageStartingWith("kafka.schema-registry.password-env: basic auth needs a password too");
        assertThatThrownBy(() -> registry("{url: 'http://registry:8081', password-env: PW}"))
                .hasMessageStartingWith("kafka.schema-registry.username: basic auth needs a user name too");
        assertThatThrownBy(() -> registry("{url: 'http://registry:8081', trust-store-path: /ca.p12}"))
                .hasMessage("kafka.schema-registry.trust-store-path: only used with an https url, but url is http://registry:8081");
        assertThatThrownBy(() -> registry("{url: 'https://r:8081', request-timeout: 0}"))
                .hasMessage("kafka.schema-registry.request-timeout: must be positive, got 0s");
    }

    @Test
    void aPasswordInTheConfigIsRefusedAndNeverEchoed() {
        assertThatThrownBy(() -> registry("{url: 'https://ops:hunter2@registry:8081'}"))
                .hasMessageStartingWith("kafka.schema-registry.url: must not contain credentials")
                .message().doesNotContain("hunter2");
        assertThatThrownBy(() -> registry("{url: 'https://registry:8081', username: ops, password: hunter2}"))
                .hasMessageStartingWith("kafka.schema-registry.password: secrets are not accepted in the config")
                .message().doesNotContain("hunter2");
    }

    private static DriftConfig registry(String section) {
        return DriftConfig.parse("kafka:\n  alerts-format: json\n  schema-registry: " + section + "\n");
    }
}
