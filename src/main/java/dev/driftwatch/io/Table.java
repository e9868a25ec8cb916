package dev.driftwatch.io;

import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A table read from one file, column by column, with what lineage needs: the file's path, its sha256 and its
 * row count. Columns keep the file's order.
 *
 * <p>A table is either held whole (CSV, Avro) or reads each column from its file when it is asked for (Parquet): a
 * column-wise file then never needs more memory than one column, however many columns it has. Iterating
 * {@link #columns()} of such a table reads every column again; callers that need a column twice keep it.
 */
public final class Table {
    private final Path source;
    private final String sha256;
    private final long rows;
    private final List<String> names;
    private final Function<String, Column> loader;

    public Table(Path source, String sha256, long rows, List<Column> columns) {
        this.source = source;
        this.sha256 = sha256;
        this.rows = rows;
        Map<String, Column> byName = new LinkedHashMap<>();
        for (Column c : columns) {
            if (byName.put(c.name(), c) != null) {
                throw new InputException(source, c.name(), "appears twice");
            }
        }
        this.names = List.copyOf(byName.keySet());
        this.loader = byName::get;
    }

    /** A table whose columns are read on demand by {@code loader}, which returns the column of a name. */
    public Table(Path source, String sha256, long rows, List<String> columnNames, Function<String, Column> loader) {
        this.source = source;
        this.sha256 = sha256;
        this.rows = rows;
        Set<String> seen = new HashSet<>();
        for (String n : columnNames) {
            if (!seen.add(n)) {
                throw new InputException(source, n, "appears twice");
            }
        }
        this.names = List.copyOf(columnNames);
        this.loader = loader;
    }

    public Path source() {
        return source;
    }

    /** Hex sha256 of the file's bytes. */
    public String sha256() {
        return sha256;
    }

    /** Data rows (CSV records after the header, Avro events, Parquet rows). */
    public long rows() {
        return rows;
    }

    /**
     * This table, or an {@link InputException} naming its file when it has no data rows: a CSV header alone, an Avro
     * file without events, a Parquet schema without rows. Its columns then have no values to profile.
     */
    public Table requireRows() {
        if (rows == 0) {
            throw new InputException(source, "has no data rows (a header or schema alone)");
        }
        return this;
    }

    public List<String> columnNames() {
        return new ArrayList<>(names);
    }

    /** The columns in file order; a column-wise table reads each one as the iteration reaches it. */
    public Collection<Column> columns() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Column> iterator() {
                Iterator<String> it = names.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Column next() {
                        return loader.apply(it.next());
                    }
                };
            }

            @Override
            public int size() {
                return names.size();
            }
        };
    }

    /** The named column; an {@link InputException} naming the file when there is none. */
    public Column column(String name) {
        if (!names.contains(name)) {
            throw new InputException(source, name, "no such column (columns: " + "'" + String.join("', '", names) + "'" + ")");
        }
        return loader.apply(name);
    }

    /** This table with one column renamed, in the same place. */
    public Table withColumnRenamed(String from, String to) {
        if (!names.contains(from)) {
            column(from); // the error naming the columns there are
        }
        if (!from.equals(to) && names.contains(to)) {
            throw new InputException(source, to, "cannot rename column '" + from + "' to '" + to + "': it exists already");
        }
        List<String> renamed = new ArrayList<>(names.size());
        for (String n : names) {
            renamed.add(n.equals(from) ? to : n);
        }
        Function<String, Column> inner = loader;
        return new Table(source, sha256, rows, renamed,
                n -> n.equals(to) ? inner.apply(from).renamed(to) : inner.apply(n));
    }
}
