package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;

/**
 * One column of a table, held whole in memory: the non-missing values (numbers or category strings, in file
 * order) and how many cells were missing (empty, null, NaN or infinite).
 */
public sealed interface Column permits NumericColumn, CategoricalColumn {
    String name();

    FeatureKind kind();

    /** Number of non-missing values. */
    int count();

    /** Number of missing cells. */
    long missing();

    /** The same values under another name. */
    Column renamed(String newName);
}
