package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        return read(file, Map.of());
    }

    public static Table read(Path file, Map<String, FeatureKind> kinds) {
        TableReader.checkReadable(file);
        String sha256 = TableReader.sha256Of(file);
        Map<String, Values> byFeature = new LinkedHashMap<>();
        Values prediction = new Values();
        long rows = 0;
        try (DataFileReader<InferenceEvent> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(InferenceEvent.class))) {
            InferenceEvent event = null;
            while (reader.hasNext()) {
                event = reader.next(event);
                for (Map.Entry<String, Object> f : event.getFeatures().entrySet()) {
                    String name = f.getKey().toString();
                    if (name.equals(PREDICTION_COLUMN)) {
                        throw new InputException(file, name, "event " + event.getEventId()
                                + " has a feature with the name reserved for the prediction");
                    }
                    byFeature.computeIfAbsent(name, n -> new Values()).add(f.getValue());
                }
                prediction.add(event.getPrediction());
                rows++;
            }
        } catch (IOException | AvroRuntimeException e) {
            throw new InputException(file, "is not a readable Avro file of InferenceEvent records: " + e.getMessage(), e);
        }
        List<Column> columns = new ArrayList<>(byFeature.size() + 1);
        for (Map.Entry<String, Values> e : byFeature.entrySet()) {
            columns.add(e.getValue().toColumn(file, e.getKey(), rows, kinds.get(e.getKey())));
        }
        if (prediction.hasNumbers()) {
            columns.add(prediction.toColumn(file, PREDICTION_COLUMN, rows, kinds.get(PREDICTION_COLUMN)));
        }
        return new Table(file, sha256, rows, columns);
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
