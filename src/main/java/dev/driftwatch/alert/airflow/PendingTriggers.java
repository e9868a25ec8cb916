package dev.driftwatch.alert.airflow;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Airflow sink's checkpointed state: the triggers not yet acknowledged by Airflow (sent again after a
 * restore; their run ids make that harmless) and each model's cooldown.
 */
public final class PendingTriggers {
    private final List<PendingTrigger> triggers;
    private final Map<String, CooldownEntry> cooldowns;

    public PendingTriggers(List<PendingTrigger> triggers, Map<String, CooldownEntry> cooldowns) {
        this.triggers = List.copyOf(triggers);
        this.cooldowns = Map.copyOf(cooldowns);
    }

    public List<PendingTrigger> getTriggers() {
        return triggers;
    }

    public Map<String, CooldownEntry> getCooldowns() {
        return cooldowns;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingTriggers p && p.triggers.equals(triggers) && p.cooldowns.equals(cooldowns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(triggers, cooldowns);
    }

    @Override
    public String toString() {
        return "PendingTriggers{" + triggers.size() + " triggers, " + cooldowns.size() + " cooldowns}";
    }
}
