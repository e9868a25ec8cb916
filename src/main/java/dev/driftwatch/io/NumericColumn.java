package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;

/** A numeric column: its finite values in file order (the array is not copied; do not modify it). */
public record NumericColumn(String name, double[] values, long missing) implements Column {
    @Override
    public FeatureKind kind() {
        return FeatureKind.NUMERIC;
    }

    @Override
    public int count() {
        return values.length;
    }

    @Override
    public NumericColumn renamed(String newName) {
        return new NumericColumn(newName, values, missing);
    }
}
