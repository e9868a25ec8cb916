package dev.driftwatch.scoring;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** ScoredEvent travels between operators as a Flink POJO, never through Kryo. */
class ScoredEventTest {

    @Test
    void isSerializedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ScoredEvent.class);
    }
}
