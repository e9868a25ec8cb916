package dev.driftwatch.profile;

import dev.driftwatch.alert.AlertState;
import dev.driftwatch.event.DecodedRecord;
import dev.driftwatch.scoring.SkewWindowSummary;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every type the job keeps in state or sends between tasks is serialized by Flink's POJO (or Avro) serializer,
 * never by Kryo: with pipeline.generic-types false a Kryo fallback would fail the job at start, and Kryo state
 * would not survive a schema change of the class.
 */
class StateTypesSerializationTest {
    @ParameterizedTest
    @ValueSource(classes = {PaneProfile.class, StoredPanes.class, AlertState.class, DecodedRecord.class, SkewWindowSummary.class})
    void isAPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }

    @Test
    void aPaneProfileRoundTripsWithItsSampleAndDigest() throws Exception {
        dev.driftwatch.baseline.Baseline baseline = new dev.driftwatch.baseline.Baseline(
                dev.driftwatch.testing.Baselines.numeric("m", "v1", "x", java.util.List.of(0.0), java.util.List.of(0.5, 0.5),
                        java.util.List.of(-1.0, 1.0)));
        FeatureProfile p = FeatureProfile.empty(baseline, 50, 1);
        for (int i = 0; i < 200; i++) {
            p.add(Math.sin(i), (i * 0.618) % 1);
        }
        p.addMissing();
        PaneProfile pane = p.toPane("m", "v1", 0, 60_000);
        TypeSerializer<PaneProfile> s = TypeInformation.of(PaneProfile.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        s.serialize(pane, out);
        PaneProfile back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.cells).containsExactly(pane.cells);
        assertThat(back.count).isEqualTo(200);
        assertThat(back.missing).isEqualTo(1);
        assertThat(back.sample.sortedValues()).containsExactly(pane.sample.sortedValues());
        assertThat(back.digest).containsExactly(pane.digest);
        FeatureProfile merged = FeatureProfile.empty(baseline, 50, 2);
        merged.merge(back);
        // the digest travels in its compact form (float centroids): far below its own rank error
        assertThat(merged.quantile(0.5)).isCloseTo(p.quantile(0.5), org.assertj.core.data.Offset.offset(1e-6));
    }
}
