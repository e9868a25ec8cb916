package dev.driftwatch.alert.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.driftwatch.alert.airflow.CooldownTracker.Decision;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CooldownTrackerTest {
    private static final long HOUR = Duration.ofHours(1).toMillis();

    @Test
    void aSecondEpisodeInsideTheCooldownIsSuppressedAndAfterItTriggers() {
        CooldownTracker cooldown = new CooldownTracker(Duration.ofHours(6), Map.of());
        assertThat(cooldown.tryAcquire("fraud", "a1", 0)).isEqualTo(Decision.TRIGGER);
        assertThat(cooldown.tryAcquire("fraud", "a2", 5 * HOUR)).isEqualTo(Decision.SUPPRESSED);
        assertThat(cooldown.tryAcquire("churn", "c1", 5 * HOUR)).isEqualTo(Decision.TRIGGER);
        assertThat(cooldown.tryAcquire("fraud", "a3", 6 * HOUR)).isEqualTo(Decision.TRIGGER);
        assertThat(cooldown.tryAcquire("fraud", "a4", 7 * HOUR)).isEqualTo(Decision.SUPPRESSED);
    }

    @Test
    void theAlertThatStartedTheCooldownIsRecognisedWhenReplayed() {
        CooldownTracker cooldown = new CooldownTracker(Duration.ofHours(6), Map.of());
        cooldown.tryAcquire("fraud", "a1", 0);
        assertThat(cooldown.check("fraud", "a1", 0)).isEqualTo(Decision.ALREADY_TRIGGERED);
    }

    @Test
    void restoredStateKeepsTheCooldownAndSnapshotsDropOldEntries() {
        CooldownTracker first = new CooldownTracker(Duration.ofHours(6), Map.of());
        first.tryAcquire("fraud", "a1", 0);
        first.tryAcquire("churn", "c1", 11 * HOUR);
        Map<String, CooldownEntry> state = first.snapshot(13 * HOUR);
        assertThat(state).containsOnlyKeys("churn");

        CooldownTracker restored = new CooldownTracker(Duration.ofHours(6), state);
        assertThat(restored.check("churn", "c2", 12 * HOUR)).isEqualTo(Decision.SUPPRESSED);
        assertThat(restored.check("fraud", "a2", 13 * HOUR)).isEqualTo(Decision.TRIGGER);
    }

    @Test
    void zeroCooldownNeverSuppresses() {
        CooldownTracker cooldown = new CooldownTracker(Duration.ZERO, Map.of());
        assertThat(cooldown.tryAcquire("fraud", "a1", 0)).isEqualTo(Decision.TRIGGER);
        assertThat(cooldown.tryAcquire("fraud", "a2", 0)).isEqualTo(Decision.TRIGGER);
    }
}
