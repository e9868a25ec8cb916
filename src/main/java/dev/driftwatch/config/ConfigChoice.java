package dev.driftwatch.config;

import java.util.List;

/** An enum whose config spellings are not its constant names (e.g. Airflow's api version {@code 2} or {@code 3}). */
public interface ConfigChoice {
    /** The spellings the config accepts for this constant; the first is the one documented and printed. */
    List<String> configNames();
}
