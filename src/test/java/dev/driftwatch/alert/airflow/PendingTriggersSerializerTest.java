package dev.driftwatch.alert.airflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingTriggersSerializerTest {
    private final PendingTriggersSerializer serializer = new PendingTriggersSerializer();

    @Test
    void roundTripsTriggersAndCooldownsIncludingLargeBodies() throws IOException {
        String big = "{\"conf\":\"" + "é".repeat(70_000) + "\"}";
        PendingTriggers state = new PendingTriggers(
                List.of(new PendingTrigger("driftwatch__a1", "a1", "fraud", "{\"x\":1}", 10L, 3),
                        new PendingTrigger("driftwatch__b2", "b2", "churn", big, 11L, 0)),
                Map.of("fraud", new CooldownEntry("a1", 5L)));
        PendingTriggers back = serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
        assertThat(back).isEqualTo(state);
        assertThat(back.getTriggers().get(0).getAttempts()).isEqualTo(3);
    }

    @Test
    void refusesAnUnknownVersion() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0])).isInstanceOf(IOException.class)
                .hasMessageContaining("99");
    }
}
