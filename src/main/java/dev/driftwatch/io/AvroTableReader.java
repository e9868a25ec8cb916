package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.InferenceEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an Avro container file of InferenceEvent records (any schema version in schemas/history: the file's
 * writer schema is resolved against the current one) into columns: one per feature name seen in any event, plus
 * {@value #PREDICTION_COLUMN} for the prediction when at least one event carries one. A feature absent from an
 * event, null, NaN or infinite is a missing value. A feature with only numbers is numeric; one with any string is
 * categorical, its numbers taken as text (integral values without ".0", as the streaming job does).
 */
public final class AvroTableReader {
    /** Column name of the prediction; equal to Baseline.PREDICTION_FEATURE (io sits below baseline). */
    public static final String PREDICTION_COLUMN = "__prediction__";

    private AvroTableReader() {}

    public static Table read(Path file) {
        return read(file, Map.of(), null);
    }

    /**
     * Reads the events of {@code model} (every event when null); columns named in {@code kinds} get that kind. A
     * file with no event of {@code model} is refused, naming the models it holds.
     */
    public static Table read(Path file, Map<String, FeatureKind> kinds, String model) {
        TableReader.checkReadable(file);
        String sha256 = TableReader.sha256Of(file);
        Map<String, Values> byFeature = new LinkedHashMap<>();
        Values prediction = new Values();
        Map<String, Long> otherModels = new TreeMap<>();
        long[] rows = {0};
        AvroContainerReader.forEach(file, InferenceEvent.class, event -> {
            if (model != null && !model.equals(event.getModelName())) {
                otherModels.merge(event.getModelName(), 1L, Long::sum);
                return;
            }
            for (Map.Entry<String, Object> f : event.getFeatures().entrySet()) {
                String name = f.getKey();
                if (name.equals(PREDICTION_COLUMN)) {
                    throw new InputException(file, name, "event " + event.getEventId()
                            + " has a feature with the name reserved for the prediction");
                }
                byFeature.computeIfAbsent(name, n -> new Values()).add(f.getValue());
            }
            prediction.add(event.getPrediction());
            rows[0]++;
        });
        if (model != null && rows[0] == 0 && !otherModels.isEmpty()) {
            throw new InputException(file, "holds no events of model '" + model + "', only of " + describeModels(otherModels));
        }
        List<Column> columns = new ArrayList<>(byFeature.size() + 1);
        for (Map.Entry<String, Values> e : byFeature.entrySet()) {
            columns.add(e.getValue().toColumn(file, e.getKey(), rows[0], kinds.get(e.getKey())));
        }
        if (prediction.hasNumbers()) {
            columns.add(prediction.toColumn(file, PREDICTION_COLUMN, rows[0], kinds.get(PREDICTION_COLUMN)));
        }
        return new Table(file, sha256, rows[0], columns);
    }

    /** "'fraud' (9000 events) and 'churn' (1000 events)", the first few models by name. */
    private static String describeModels(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.entrySet().stream().limit(5).forEach(e -> parts.add("'" + e.getKey() + "' (" + e.getValue() + " events)"));
        return String.join(", ", parts) + (counts.size() > 5 ? " and " + (counts.size() - 5) + " more" : "");
    }

    /** The non-missing values of one feature as they come: numbers and strings apart. */
    private static final class Values {
        private double[] numbers = new double[64];
        private int numberCount;
        private final List<String> strings = new ArrayList<>();

        void add(Object v) {
            if (v instanceof Double d) {
                // non-finite numbers are missing values, as in the streaming job
                if (Double.isFinite(d)) {
                    if (numberCount == numbers.length) {
                        numbers = Arrays.copyOf(numbers, numbers.length * 2);
                    }
                    numbers[numberCount++] = d;
                }
            } else if (v != null) {
                strings.add(v.toString());
            }
        }

        boolean hasNumbers() {
            return numberCount > 0;
        }

        Column toColumn(Path file, String name, long rows, FeatureKind forced) {
            long missing = rows - numberCount - strings.size();
            boolean numeric = forced == null ? strings.isEmpty() : forced == FeatureKind.NUMERIC;
            if (numeric) {
                if (!strings.isEmpty()) {
                    throw new InputException(file, name, "expected numbers, but the value '" + strings.get(0) + "' is a string");
                }
                return new NumericColumn(name, Arrays.copyOf(numbers, numberCount), missing);
            }
            String[] values = new String[numberCount + strings.size()];
            for (int i = 0; i < numberCount; i++) {
                values[i] = categoryText(numbers[i]);
            }
            for (int i = 0; i < strings.size(); i++) {
                values[numberCount + i] = strings.get(i);
            }
            return new CategoricalColumn(name, values, missing);
        }
    }

    /** A number used as a category, as FeatureProfile.formatCategory writes it (integral values without ".0"). */
    static String categoryText(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
