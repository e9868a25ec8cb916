package dev.driftwatch.local;

import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.baseline.BaselineBuilder;
import dev.driftwatch.baseline.BaselineStore;
import dev.driftwatch.io.Column;
import dev.driftwatch.io.Table;
import dev.driftwatch.io.TableReader;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds and stores the baselines of a training file with default settings, as `baseline build` does. */
public final class TrainingBaselines {
    private TrainingBaselines() {}

    /** Builds one baseline per column (predictionColumn, if not null, under the reserved prediction name). */
    public static Path build(Path training, String model, String version, String predictionColumn, Path outDir) {
        Table table = TableReader.read(training);
        BaselineBuilder builder = new BaselineBuilder(model, version, BaselineBuilder.DEFAULT_BINS,
                BaselineBuilder.DEFAULT_SAMPLE, BaselineBuilder.DEFAULT_TOP_CATEGORIES,
                BaselineBuilder.lineage(table, Instant.now()));
        List<FeatureBaseline> out = new ArrayList<>();
        for (Column c : table.columns()) {
            FeatureBaseline b = builder.build(table, c);
            if (c.name().equals(predictionColumn)) {
                b.setFeature(Baseline.PREDICTION_FEATURE);
            }
            out.add(b);
        }
        return BaselineStore.write(outDir, out);
    }
}
