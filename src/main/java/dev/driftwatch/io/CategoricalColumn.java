package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;

/** A categorical column: its non-missing category strings in file order (not copied; do not modify). */
public record CategoricalColumn(String name, String[] values, long missing) implements Column {
    @Override
    public FeatureKind kind() {
        return FeatureKind.CATEGORICAL;
    }

    @Override
    public int count() {
        return values.length;
    }

    @Override
    public CategoricalColumn renamed(String newName) {
        return new CategoricalColumn(newName, values, missing);
    }
}
