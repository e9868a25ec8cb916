package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a Parquet file (the offline-store format of Feast and most feature stores) column by column through
 * DuckDB's embedded engine (JDBC driver, in process, no server): the file is decoded outside the Java heap and
 * only one column's values are held at a time, so tens of millions of rows fit in a small heap.
 *
 * <p>Columns map to the CSV reader's conventions, so the same data as CSV and as Parquet gives the same baselines:
 * integer, floating-point and decimal columns are numeric (null, NaN and infinities are missing values); string
 * and boolean columns are categorical (null and blank strings are missing values, booleans are the categories
 * {@code true} and {@code false}). Columns of other types (timestamps, dates, lists, structs, binary) are skipped
 * with a warning: a feature store's event-timestamp column is no feature.
 */
public final class ParquetTableReader {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetTableReader.class);
    private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

    private ParquetTableReader() {}

    /** Whether the file starts with the Parquet magic. */
    public static boolean isParquet(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public static Table read(Path file) {
        return read(file, Map.of());
    }

    /** Reads the file's schema and row count now, and each column when it is asked for. */
    public static Table read(Path file, Map<String, FeatureKind> kinds) {
        TableReader.checkReadable(file);
        long[] footer = checkFooter(file);
        String sha = TableReader.sha256Of(file);
        Map<String, FeatureKind> columns = new LinkedHashMap<>();
        long rows;
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + scan(file))) {
                while (rs.next()) {
                    String name = rs.getString("column_name");
                    String type = rs.getString("column_type");
                    FeatureKind kind = kindOf(type);
                    if (kind == null) {
                        LOG.warn("{}: column '{}' of type {} is neither numeric nor text; skipped", file, name, type);
                        continue;
                    }
                    FeatureKind forced = kinds.get(name);
                    if (forced == FeatureKind.NUMERIC && kind != FeatureKind.NUMERIC) {
                        throw new InputException(file, name, "expected numbers, but the column holds " + type);
                    }
                    columns.put(name, forced == null ? kind : forced);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + scan(file))) {
                rs.next();
                rows = rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new InputException(file, "has a damaged Parquet footer (byte offsets " + footer[0] + " to " + footer[1]
                    + ", where the schema and row groups are described): " + reason(e), e);
        }
        if (rows > Integer.MAX_VALUE - 8) {
            throw new InputException(file, "has " + rows + " rows, more than a column held in memory can take");
        }
        long n = rows;
        return new Table(file, sha, rows, new ArrayList<>(columns.keySet()),
                name -> readColumn(file, name, columns.get(name), (int) n));
    }

    static FeatureKind kindOf(String duckType) {
        String t = duckType.toUpperCase(Locale.ROOT);
        if (t.startsWith("DECIMAL") || List.of("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE").contains(t)) {
            return FeatureKind.NUMERIC;
        }
        if (t.equals("VARCHAR") || t.equals("BOOLEAN")) {
            return FeatureKind.CATEGORICAL;
        }
        return null;
    }

    private static Column readColumn(Path file, String name, FeatureKind kind, int rows) {
        String quoted = "\"" + name.replace("\"", "\"\"") + "\"";
        try (Connection c = connect(); Statement st = c.createStatement()) {
            if (kind == FeatureKind.NUMERIC) {
                double[] values = new double[rows];
                int count = 0;
                long missing = 0;
                try (ResultSet rs = st.executeQuery("SELECT CAST(" + quoted + " AS DOUBLE) FROM " + scan(file))) {
                    while (rs.next()) {
                        double v = rs.getDouble(1);
                        if (rs.wasNull() || !Double.isFinite(v)) {
                            missing++;
                        } else {
                            values[count++] = v;
                        }
                    }
                }
                return new NumericColumn(name, count == rows ? values : Arrays.copyOf(values, count), missing);
            }
            String[] values = new String[rows];
            int count = 0;
            long missing = 0;
            Map<String, String> distinct = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT CAST(" + quoted + " AS VARCHAR) FROM " + scan(file))) {
                while (rs.next()) {
                    String v = rs.getString(1);
                    if (v == null || v.isBlank()) {
                        missing++;
                    } else {
                        values[count++] = distinct.computeIfAbsent(v, s -> s);
                    }
                }
            }
            return new CategoricalColumn(name, Arrays.copyOf(values, count), missing);
        } catch (SQLException e) {
            throw new InputException(file, name, "its data cannot be decoded (a damaged Parquet page?): " + reason(e));
        }
    }

    private static Connection connect() throws SQLException {
        Properties p = new Properties();
        // one column at a time in a small heap: DuckDB's own memory stays bounded too
        p.setProperty("memory_limit", "1GB");
        p.setProperty("threads", "2");
        return DriverManager.getConnection("jdbc:duckdb:", p);
    }

    private static String scan(Path file) {
        return "read_parquet('" + file.toAbsolutePath().toString().replace("'", "''") + "')";
    }

    /**
     * Checks the end of the file as the Parquet format lays it out (footer metadata, its 4-byte little-endian length,
     * the magic {@code PAR1}) and returns the footer's first and last byte offsets. A copy cut short fails here, with
     * words, rather than inside DuckDB.
     */
    static long[] checkFooter(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size < 12) {
                throw new InputException(file, "is truncated: " + size + " bytes, shorter than any Parquet file");
            }
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (tail.hasRemaining() && ch.read(tail, size - 8 + tail.position()) > 0) {
                // reads the last 8 bytes
            }
            if (!Arrays.equals(Arrays.copyOfRange(tail.array(), 4, 8), MAGIC)) {
                throw new InputException(file, "is truncated: it starts as a Parquet file but does not end with the "
                        + "Parquet footer ('PAR1' missing at byte offset " + (size - 4) + " of " + size + ")");
            }
            long length = Integer.toUnsignedLong(tail.getInt(0));
            long start = size - 8 - length;
            if (start < MAGIC.length) {
                throw new InputException(file, "has a damaged Parquet footer: its length field (byte offset " + (size - 8)
                        + ") says " + length + " bytes, more than the file holds");
            }
            return new long[] {start, size - 9};
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * DuckDB's reason without its wrapping: the JDBC driver puts "Attempting to execute an unsuccessful or closed
     * pending query result" first and the reason on a later line, prefixed with error classes and followed by the
     * query.
     */
    static String reason(SQLException e) {
        String message = e.getMessage();
        if (message == null) {
            return "unknown error";
        }
        String reason = null;
        for (String line : message.split("\\R")) {
            if (line.startsWith("LINE ")) {
                break;
            }
            if (!line.isBlank() && !line.contains("unsuccessful or closed pending query result")) {
                reason = line;
            }
        }
        if (reason == null) {
            reason = message.lines().findFirst().orElse(message);
        }
        // "Error: Invalid Input Error: No magic bytes found at end of file '/x.parquet'" -> "No magic bytes found"
        reason = reason.replaceAll("^(?:Error: )?(?:[A-Z][A-Za-z ]* )?Error: ", "")
                .replaceAll(" (?:in|of|at end of) file '[^']*'", "").strip();
        return reason.isEmpty() ? "unknown error" : reason;
    }
}
