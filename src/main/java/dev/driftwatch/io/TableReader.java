package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reads a table from a file of any supported format, recognised by its first bytes whatever the file is called:
 * an Avro container file of InferenceEvent records, a Parquet file, or else CSV with a header row.
 */
public final class TableReader {
    private static final byte[] AVRO_MAGIC = {'O', 'b', 'j', 1};

    private TableReader() {}

    public static Table read(Path file) {
        return read(file, Map.of());
    }

    /** Reads the file; columns named in {@code kinds} get that kind instead of the inferred one. */
    public static Table read(Path file, Map<String, FeatureKind> kinds) {
        return read(file, kinds, null);
    }

    /**
     * Reads the file as {@link #read(Path, Map)} does; of an Avro file of events, only the events of {@code model}
     * (all of them when null). CSV and Parquet rows carry no model, so {@code model} does not apply to them.
     */
    public static Table read(Path file, Map<String, FeatureKind> kinds, String model) {
        checkReadable(file);
        if (isAvro(file)) {
            return AvroTableReader.read(file, kinds, model);
        }
        return ParquetTableReader.isParquet(file) ? ParquetTableReader.read(file, kinds) : CsvTableReader.read(file, kinds);
    }

    /** Whether the file starts with the Avro container magic. */
    public static boolean isAvro(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(AVRO_MAGIC.length);
            return java.util.Arrays.equals(head, AVRO_MAGIC);
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    static void checkReadable(Path file) {
        InputFiles.checkRegularFile(file, "a CSV, Avro or Parquet file");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Hex sha256 of a file's bytes. */
    public static String sha256Of(Path file) {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
        return hex(sha.digest());
    }
}
