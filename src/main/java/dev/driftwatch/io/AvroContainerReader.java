package dev.driftwatch.io;

import org.apache.avro.AvroTypeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipException;

/**
 * Reads the records of an Avro container file and refuses any file it cannot read whole, with one line that says
 * where it stopped. Avro's own reader is not enough for that: {@code DataFileStream.hasNext()} takes an end of file
 * inside a block for the end of the data, so a truncated file (a copy cut short, a writer still running) reads as
 * a complete one with fewer records. Here, after the last record, the end of the last complete block (the position
 * after its sync marker) must be the end of the file; header, block and record failures name the byte offset of
 * the block they happened in.
 */
public final class AvroContainerReader {
    private static final byte[] MAGIC = {'O', 'b', 'j', 1};

    private AvroContainerReader() {}

    /** Every record of the file, each a fresh object. */
    public static <T extends SpecificRecord> List<T> readAll(Path file, Class<T> type) {
        List<T> out = new ArrayList<>();
        read(file, type, false, out::add);
        return out;
    }

    /**
     * Calls {@code each} with every record of the file, in order, reusing one record object: {@code each} copies
     * what it keeps. Returns the number of records.
     */
    public static <T extends SpecificRecord> long forEach(Path file, Class<T> type, Consumer<T> each) {
        return read(file, type, true, each);
    }

    private static <T extends SpecificRecord> long read(Path file, Class<T> type, boolean reuse, Consumer<T> each) {
        InputFiles.checkRegularFile(file, "an Avro container file");
        long length = checkMagic(file);
        String expected = type.getSimpleName();
        DataFileReader<T> reader;
        try {
            reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type));
        } catch (EOFException e) {
            throw new InputException(file, "is truncated: it ends inside its Avro header, after " + length + " bytes");
        } catch (IOException | RuntimeException e) {
            throw new InputException(file, "has a damaged Avro header: " + describe(e), e);
        }
        long records = 0;
        try (reader) {
            T record = null;
            while (true) {
                long block = reader.previousSync();
                try {
                    if (!reader.hasNext()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    throw new InputException(file, "is corrupt: the Avro block at byte offset " + block + " (after "
                            + records + " records) cannot be read: " + describe(e), e);
                }
                try {
                    record = reader.next(reuse ? record : null);
                } catch (AvroTypeException e) {
                    String found = reader.getSchema().getName();
                    throw new InputException(file, found.equals(expected)
                            ? "holds " + found + " records of a schema that cannot be read as the current one: " + describe(e)
                            : "holds Avro records of type " + found + ", not " + expected, e);
                } catch (IOException | RuntimeException e) {
                    throw new InputException(file, "is corrupt: record " + (records + 1) + " (in the Avro block at byte offset "
                            + block + ") cannot be decoded: " + describe(e), e);
                }
                records++;
                each.accept(record);
            }
            long end = reader.previousSync();
            if (end != length) {
                throw new InputException(file, "is truncated: the Avro data stops inside a block; the last complete block ends at byte offset "
                        + end + " of " + length + " (" + records + " records before it)");
            }
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + describe(e), e);
        }
        return records;
    }

    /** The file's length, once its first bytes are known to be the Avro container magic. */
    private static long checkMagic(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new InputException(file, "is not an Avro container file (it does not start with the bytes 'Obj' 1)");
            }
            return Files.size(file);
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The cause in words: Avro's and the JDK's messages, where they have one, without class names or "null". */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof ZipException) {
            return "its deflate-compressed data is damaged" + (message == null ? "" : " (" + message + ")");
        }
        if (root instanceof EOFException) {
            return "the file ends in the middle of it";
        }
        if ("Invalid sync!".equals(message)) {
            return "it does not end with the file's sync marker";
        }
        return message == null || message.isBlank() ? "its bytes are not valid Avro" : message;
    }
}
