package dev.driftwatch.alert;

/**
 * Hysteresis state of one model version: whether it is FIRING, how many drifted or clean windows in a row
 * it has seen, and which features were drifting when it fired. A Flink POJO.
 */
public class AlertState {
    public boolean firing;
    public int driftedStreak;
    public int cleanStreak;
    public String[] firingFeatures = new String[0];
    public long lastWindowEnd;

    public AlertState() {}
}
