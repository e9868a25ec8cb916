package dev.driftwatch.alert;

import dev.driftwatch.avro.AlertKind;
import dev.driftwatch.avro.DriftAlert;
import dev.driftwatch.avro.FeatureDriftResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed by (model, version): collects the per-feature results of each window until the watermark says the
 * window is complete, then runs {@link AlertPolicy}. Hysteresis state expires after the configured TTL of
 * silence, so models that stop sending leave nothing behind.
 */
public class AlertFunction extends KeyedProcessFunction<String, FeatureDriftResult, DriftAlert> {
    private final AlertPolicy policy;
    private final Duration stateTtl;

    private transient ListState<FeatureDriftResult> pending;
    private transient ValueState<AlertState> state;
    private transient Map<String, ModelGauges> gauges;
    private transient MetricGroup metrics;
    private transient Counter alertsFiring;
    private transient Counter alertsResolved;

    public AlertFunction(AlertPolicy policy, Duration stateTtl) {
        this.policy = policy;
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(stateTtl).build();
        ListStateDescriptor<FeatureDriftResult> pendingDesc =
                new ListStateDescriptor<>("pending-results", TypeInformation.of(FeatureDriftResult.class));
        pendingDesc.enableTimeToLive(ttl);
        pending = getRuntimeContext().getListState(pendingDesc);
        ValueStateDescriptor<AlertState> stateDesc = new ValueStateDescriptor<>("alert-state", TypeInformation.of(AlertState.class));
        stateDesc.enableTimeToLive(ttl);
        state = getRuntimeContext().getState(stateDesc);
        gauges = new HashMap<>();
        metrics = getRuntimeContext().getMetricGroup().addGroup("driftwatch");
        alertsFiring = metrics.counter("alerts_firing");
        alertsResolved = metrics.counter("alerts_resolved");
    }

    @Override
    public void processElement(FeatureDriftResult r, Context ctx, Collector<DriftAlert> out) throws Exception {
        pending.add(r);
        ctx.timerService().registerEventTimeTimer(r.getWindowEnd().toEpochMilli() - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DriftAlert> out) throws Exception {
        long windowEnd = timestamp + 1;
        List<FeatureDriftResult> window = new ArrayList<>();
        List<FeatureDriftResult> later = new ArrayList<>();
        for (FeatureDriftResult r : pending.get()) {
            long end = r.getWindowEnd().toEpochMilli();
            if (end == windowEnd) {
                window.add(r);
            } else if (end > windowEnd) {
                later.add(r);
            }
            // results of earlier windows cannot be pending here: their timers fired first
        }
        pending.update(later);
        if (window.isEmpty()) {
            return;
        }
        AlertState s = state.value();
        if (s == null) {
            s = new AlertState();
        }
        WindowVerdict verdict = policy.judge(window);
        FeatureDriftResult any = window.get(0);
        var alert = policy.step(s, verdict, any, Instant.now());
        state.update(s);
        gaugesFor(any.getModel()).update(ctx.getCurrentKey(), s.firing, AlertPolicy.kindOf(any) == AlertKind.DRIFT
                && any.getModelVersion().equals(any.getBaselineVersion()) ? verdict.driftShare() : null);
        if (alert.isPresent()) {
            (s.firing ? alertsFiring : alertsResolved).inc();
            out.collect(alert.get());
        }
    }

    private ModelGauges gaugesFor(String model) {
        return gauges.computeIfAbsent(model, m -> new ModelGauges(metrics.addGroup("model", m)));
    }

    /**
     * Drift share and alert state of a model, as gauges labelled by model. The alert state is 1 while any episode of
     * the model (any version, drift or skew, production or shadow) is FIRING; the drift share is that of the
     * latest window of a production version's drift.
     */
    static final class ModelGauges {
        private final Map<String, Boolean> firingByKey = new java.util.concurrent.ConcurrentHashMap<>();
        volatile double driftShare = Double.NaN;

        ModelGauges(MetricGroup g) {
            g.gauge("drift_share", (Gauge<Double>) () -> driftShare);
            g.gauge("alert_state", (Gauge<Integer>) () -> firingByKey.containsValue(true) ? 1 : 0);
        }

        void update(String key, boolean isFiring, Double share) {
            firingByKey.put(key, isFiring);
            if (share != null) {
                driftShare = share;
            }
        }
    }
}
