package dev.driftwatch.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table read from one file, column by column, with what lineage needs: the file's path, its sha256 and its
 * row count. Columns keep the file's order.
 */
public final class Table {
    private final Path source;
    private final String sha256;
    private final long rows;
    private final Map<String, Column> columns;

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
        this.columns = byName;
    }

    public Path source() {
        return source;
    }

    /** Hex sha256 of the file's bytes. */
    public String sha256() {
        return sha256;
    }

    /** Data rows (CSV records after the header, or Avro events). */
    public long rows() {
        return rows;
    }

    public List<String> columnNames() {
        return new ArrayList<>(columns.keySet());
    }

    public Collection<Column> columns() {
        return columns.values();
    }

    /** The named column; an {@link InputException} naming the file when there is none. */
    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new InputException(source, name, "no such column (columns: " + "'" + String.join("', '", columns.keySet()) + "'" + ")");
        }
        return c;
    }

    /** This table with one column renamed, in the same place. */
    public Table withColumnRenamed(String from, String to) {
        Column target = column(from);
        if (!from.equals(to) && columns.containsKey(to)) {
            throw new InputException(source, to, "cannot rename column '" + from + "' to '" + to + "': it exists already");
        }
        List<Column> out = new ArrayList<>(columns.size());
        for (Column c : columns.values()) {
            out.add(c == target ? c.renamed(to) : c);
        }
        return new Table(source, sha256, rows, out);
    }
}
