package dev.driftwatch.baseline;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.cli.Main;
import dev.driftwatch.testing.Baselines;
import dev.driftwatch.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `baseline publish` / `baseline retire` and the job's topic reader against a real broker. */
class BaselineTopicITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static FeatureBaseline numeric(String version, String feature) {
        return Baselines.numeric("fraud/eu", version, feature, List.of(0.0), List.of(0.5, 0.5), List.of(-1.0, 1.0));
    }

    @Test
    void publishCreatesACompactedTopicAndRetireWritesTombstonesThatTheReaderApplies() throws Exception {
        BaselineStore.write(dir, List.of(numeric("v1", "x"), numeric("v1", "y/z")));
        Run published = cli("baseline", "publish", dir.toString(), "--topic", "baselines-a",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--property", "client.id=publish-test");
        assertThat(published.code()).as(published.err()).isZero();
        assertThat(published.out()).contains("published 2 baselines to baselines-a", "fraud/eu/v1/x", "fraud/eu/v1/y/z");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "baselines-a");
            assertThat(admin.describeConfigs(List.of(r)).all().get().get(r).get("cleanup.policy").value()).isEqualTo("compact");
        }
        // names with '/' survive the key encoding
        assertThat(BaselineTopic.readAll(KAFKA.bootstrapServers(), "baselines-a", Map.of(), Duration.ofSeconds(30)).keySet())
                .containsExactlyInAnyOrder(new BaselineTopic.Key("fraud/eu", "v1", "x"), new BaselineTopic.Key("fraud/eu", "v1", "y/z"));

        BaselineSource source = BaselineSource.topic(KAFKA.bootstrapServers(), "baselines-a", Map.of(), true, Duration.ofSeconds(30));
        try (BaselineSource.Subscription view = source.subscribe()) {
            assertThat(view.current().forEvent("fraud/eu", "v1").features()).hasSize(2);
            String retiredFingerprint = view.current().forEvent("fraud/eu", "v1").features()[0].fingerprint();

            Run retired = cli("baseline", "retire", "--model", "fraud/eu", "--version", "v1", "--feature", "x",
                    "--topic", "baselines-a", "--bootstrap-servers", KAFKA.bootstrapServers());
            assertThat(retired.code()).as(retired.err()).isZero();
            assertThat(retired.out()).contains("retired 1 baselines", "fraud/eu/v1/x");
            awaitTrue(() -> view.current().forEvent("fraud/eu", "v1").features().length == 1);
            assertThat(view.current().forEvent("fraud/eu", "v1").features()[0].feature()).isEqualTo("y/z");
            assertThat(view.current().byFingerprint(retiredFingerprint))
                    .as("panes counted on a retired baseline still find it").isNotNull();
        }

        Run nothing = cli("baseline", "retire", "--model", "fraud/eu", "--version", "v9",
                "--topic", "baselines-a", "--bootstrap-servers", KAFKA.bootstrapServers());
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err().strip()).isEqualTo("driftwatch baseline retire: baseline topic baselines-a has no live baseline of fraud/eu/v9");
    }

    @Test
    void badRecordsAreSkippedWithoutStoppingTheReader() throws Exception {
        new BaselinePublisher(KAFKA.bootstrapServers(), "baselines-b", Map.of()).publish(List.of(numeric("v1", "x")));
        try (KafkaProducer<byte[], byte[]> p = KAFKA.producer()) {
            p.send(new ProducerRecord<>("baselines-b", "not-a-key".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2})).get();
            p.send(new ProducerRecord<>("baselines-b", new BaselineTopic.Key("fraud/eu", "v1", "y").bytes(), new byte[] {1, 2})).get();
            // a value written under another baseline's key
            p.send(new ProducerRecord<>("baselines-b", new BaselineTopic.Key("fraud/eu", "v1", "w").bytes(),
                    BaselineTopic.value(numeric("v1", "q")))).get();
        }
        new BaselinePublisher(KAFKA.bootstrapServers(), "baselines-b", Map.of()).publish(List.of(numeric("v2", "x")));

        BaselineSource source = BaselineSource.topic(KAFKA.bootstrapServers(), "baselines-b", Map.of(), false, Duration.ofSeconds(30));
        try (BaselineSource.Subscription view = source.subscribe()) {
            assertThat(view.current().forEvent("fraud/eu", "v1").features()).extracting(Baseline::feature).containsExactly("x");
            assertThat(view.current().forEvent("fraud/eu", "v2")).as("records after the bad ones are read").isNotNull();
            assertThat(view.current().forEvent("fraud/eu", "v3")).as("no fallback when it is off").isNull();
        }
    }

    @Test
    void aTopicThatIsNotCompactedIsRefusedAndAMissingOneIsAClearStartError() throws Exception {
        KAFKA.createTopic("baselines-delete", 1, Map.of("cleanup.policy", "delete"));
        BaselineStore.write(dir, List.of(numeric("v1", "x")));
        Run refused = cli("baseline", "publish", dir.toString(), "--topic", "baselines-delete",
                "--bootstrap-servers", KAFKA.bootstrapServers());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().lines().toList()).singleElement().asString()
                .contains("baseline topic baselines-delete exists with cleanup.policy=delete");

        BaselineSource missing = BaselineSource.topic(KAFKA.bootstrapServers(), "no-such-baselines", Map.of(), true, Duration.ofSeconds(3));
        assertThatThrownBy(missing::subscribe).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("baselines.topic no-such-baselines").hasMessageContaining("does not exist");
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
