package dev.driftwatch.io;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits RFC 4180 CSV text into records: comma-separated fields, fields in double quotes may hold commas,
 * line breaks and doubled quotes; CRLF, LF and CR all end a record. Lines with nothing on them are skipped
 * (as pandas does). A quote inside an unquoted field is taken literally.
 */
final class CsvRecords {
    private static final int EOF = -1;
    /**
     * Characters a field may hold. No feature value is this long; without a bound, a file with no line breaks or a
     * quote never closed would be read into one field until the heap runs out.
     */
    static final int MAX_FIELD_CHARS = 1 << 20;

    private final Reader in;
    private final Path file;
    private final StringBuilder field = new StringBuilder();
    private int pushedBack = Integer.MIN_VALUE;
    private long line = 1;
    private long recordLine;

    CsvRecords(Reader in, Path file) {
        this.in = in;
        this.file = file;
    }

    /** Physical line (1-based) on which the record last returned by {@link #next()} starts. */
    long recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of the input. */
    List<String> next() throws IOException {
        while (true) {
            int c = read();
            if (c == EOF) {
                return null;
            }
            if (c == '\n' || c == '\r') {
                endOfLine(c);
                continue;
            }
            unread(c);
            return record();
        }
    }

    private List<String> record() throws IOException {
        recordLine = line;
        List<String> fields = new ArrayList<>();
        while (true) {
            field.setLength(0);
            int c = read();
            if (c == '"') {
                c = quoted();
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    if (field.length() == MAX_FIELD_CHARS) {
                        throw new InputException(file, "line " + recordLine + ", field " + (fields.size() + 1)
                                + " is longer than " + MAX_FIELD_CHARS + " characters (is this a CSV file with line breaks?)");
                    }
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            if (c == ',') {
                continue;
            }
            if (c == '\n' || c == '\r') {
                endOfLine(c);
            }
            return fields;
        }
    }

    /** Reads a quoted field's content after its opening quote; returns the character that ends the field. */
    private int quoted() throws IOException {
        long start = line;
        while (true) {
            int c = read();
            if (c == EOF) {
                throw new InputException(file, "line " + start + ": quoted field is never closed (missing '\"')");
            }
            if (c == '"') {
                int after = read();
                if (after == '"') {
                    field.append('"');
                    continue;
                }
                if (after != ',' && after != '\n' && after != '\r' && after != EOF) {
                    throw new InputException(file, "line " + line + ": unexpected character '" + (char) after
                            + "' after a closing quote (a quote inside a quoted field must be doubled)");
                }
                return after;
            }
            if (c == '\n' || (c == '\r' && peek() != '\n')) {
                line++;
            }
            if (field.length() == MAX_FIELD_CHARS) {
                throw new InputException(file, "line " + start + ": a quoted field runs on for more than " + MAX_FIELD_CHARS
                        + " characters (a missing closing '\"'?)");
            }
            field.append((char) c);
        }
    }

    private void endOfLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        line++;
    }

    private int read() throws IOException {
        if (pushedBack != Integer.MIN_VALUE) {
            int c = pushedBack;
            pushedBack = Integer.MIN_VALUE;
            return c;
        }
        return in.read();
    }

    private int peek() throws IOException {
        int c = read();
        unread(c);
        return c;
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
