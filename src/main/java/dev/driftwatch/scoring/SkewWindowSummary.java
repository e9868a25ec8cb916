package dev.driftwatch.scoring;

/**
 * What one (model, artifact, window) of scored events says: the skew rate (share of events whose
 * replayed score differs from the logged prediction by more than the tolerance), the mean
 * absolute difference between artifact and production, label agreement at 0.5 for classifiers,
 * and whether the skew rate crosses the alert threshold. Mergeable, so panes can be summed into
 * windows; pure, so the window and alert path can test it without Flink. A Flink POJO (getters and
 * setters for its counters), so panes of it live in keyed state without Kryo.
 */
public final class SkewWindowSummary {

    /** Score at or above which a classifier's output is the positive label. */
    public static final double LABEL_THRESHOLD = 0.5;

    private long scored;
    private long compared;
    private long skewed;
    private double sumAbsDifference;
    private long labelAgreements;

    /** Adds one scored event; events without a logged prediction count as scored, not compared. */
    public SkewWindowSummary add(ScoredEvent event) {
        return add(event.getScore(), event.getLoggedPrediction(), event.isSkewed());
    }

    /** Adds one score beside its logged prediction (null when production logged none). */
    public SkewWindowSummary add(double score, Double logged, boolean isSkewed) {
        scored++;
        if (logged == null || !Double.isFinite(logged)) {
            return this;
        }
        compared++;
        if (isSkewed) {
            skewed++;
        }
        sumAbsDifference += Math.abs(score - logged);
        if ((score >= LABEL_THRESHOLD) == (logged >= LABEL_THRESHOLD)) {
            labelAgreements++;
        }
        return this;
    }

    public SkewWindowSummary merge(SkewWindowSummary other) {
        scored += other.scored;
        compared += other.compared;
        skewed += other.skewed;
        sumAbsDifference += other.sumAbsDifference;
        labelAgreements += other.labelAgreements;
        return this;
    }

    /** Events scored in the window. */
    public long count() {
        return scored;
    }

    /** Events with a logged prediction, the denominator of every rate below. */
    public long compared() {
        return compared;
    }

    public long skewedCount() {
        return skewed;
    }

    /** Skewed / compared; 0 when nothing could be compared. */
    public double skewRate() {
        return compared == 0 ? 0.0 : (double) skewed / compared;
    }

    /** Mean |score - logged| over compared events (shadow vs production agreement); NaN when none. */
    public double meanAbsoluteDifference() {
        return compared == 0 ? Double.NaN : sumAbsDifference / compared;
    }

    /** Share of compared events where both sides give the same label at 0.5; NaN when none. */
    public double labelAgreement() {
        return compared == 0 ? Double.NaN : (double) labelAgreements / compared;
    }

    /** Whether the skew rate is above the threshold (strictly: a threshold of 0.01 allows 1%). */
    public boolean crossesThreshold(double skewThreshold) {
        return compared > 0 && skewRate() > skewThreshold;
    }

    @Override
    public String toString() {
        return "SkewWindowSummary{scored=" + scored + ", compared=" + compared + ", skewRate=" + skewRate()
                + ", meanAbsDiff=" + meanAbsoluteDifference() + ", labelAgreement=" + labelAgreement() + "}";
    }

    public long getScored() {
        return scored;
    }

    public void setScored(long scored) {
        this.scored = scored;
    }

    public long getCompared() {
        return compared;
    }

    public void setCompared(long compared) {
        this.compared = compared;
    }

    public long getSkewed() {
        return skewed;
    }

    public void setSkewed(long skewed) {
        this.skewed = skewed;
    }

    public double getSumAbsDifference() {
        return sumAbsDifference;
    }

    public void setSumAbsDifference(double sumAbsDifference) {
        this.sumAbsDifference = sumAbsDifference;
    }

    public long getLabelAgreements() {
        return labelAgreements;
    }

    public void setLabelAgreements(long labelAgreements) {
        this.labelAgreements = labelAgreements;
    }
}
