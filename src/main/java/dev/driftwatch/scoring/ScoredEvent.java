package dev.driftwatch.scoring;

import java.util.Objects;

/**
 * One inference event re-scored by an ONNX artifact: the logged production prediction beside the
 * replayed (REPLAY) or candidate (SHADOW) score. A Flink POJO (public no-arg constructor, getters
 * and setters) so it never falls back to Kryo.
 */
public class ScoredEvent {

    private String model;
    private String modelVersion;
    private String role;
    private String artifact;
    private String eventId;
    private long eventTime;
    private Double loggedPrediction;
    private double score;
    private boolean skewed;

    public ScoredEvent() {}

    public ScoredEvent(String model, String modelVersion, String role, String artifact, String eventId,
            long eventTime, Double loggedPrediction, double score, boolean skewed) {
        this.model = model;
        this.modelVersion = modelVersion;
        this.role = role;
        this.artifact = artifact;
        this.eventId = eventId;
        this.eventTime = eventTime;
        this.loggedPrediction = loggedPrediction;
        this.score = score;
        this.skewed = skewed;
    }

    /** The model_name of the event. */
    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    /** The production version that served the logged prediction. */
    public String getModelVersion() {
        return modelVersion;
    }

    public void setModelVersion(String modelVersion) {
        this.modelVersion = modelVersion;
    }

    /** REPLAY or SHADOW. */
    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    /** The artifact's label: "replay", or the shadow candidate's version. */
    public String getArtifact() {
        return artifact;
    }

    public void setArtifact(String artifact) {
        this.artifact = artifact;
    }

    public String getEventId() {
        return eventId;
    }

    public void setEventId(String eventId) {
        this.eventId = eventId;
    }

    /** The event's event_time (epoch ms); the record keeps the input's Flink timestamp too. */
    public long getEventTime() {
        return eventTime;
    }

    public void setEventTime(long eventTime) {
        this.eventTime = eventTime;
    }

    /** The prediction production logged, or null when it logged none. */
    public Double getLoggedPrediction() {
        return loggedPrediction;
    }

    public void setLoggedPrediction(Double loggedPrediction) {
        this.loggedPrediction = loggedPrediction;
    }

    /** The artifact's score for the event's features. */
    public double getScore() {
        return score;
    }

    public void setScore(double score) {
        this.score = score;
    }

    /** Whether |score - loggedPrediction| exceeds the skew tolerance (false without a logged one). */
    public boolean isSkewed() {
        return skewed;
    }

    public void setSkewed(boolean skewed) {
        this.skewed = skewed;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScoredEvent that)) {
            return false;
        }
        return eventTime == that.eventTime && Double.compare(score, that.score) == 0 && skewed == that.skewed
                && Objects.equals(model, that.model) && Objects.equals(modelVersion, that.modelVersion)
                && Objects.equals(role, that.role) && Objects.equals(artifact, that.artifact)
                && Objects.equals(eventId, that.eventId) && Objects.equals(loggedPrediction, that.loggedPrediction);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, modelVersion, role, artifact, eventId, eventTime, loggedPrediction, score, skewed);
    }

    @Override
    public String toString() {
        return "ScoredEvent{" + model + "/" + modelVersion + " " + role + ":" + artifact + " " + eventId + " t="
                + eventTime + " logged=" + loggedPrediction + " score=" + score + (skewed ? " SKEWED" : "") + "}";
    }
}
