package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a UTF-8 CSV file with a header row into columns. An empty (or blank) cell is a missing value. A column
 * whose non-empty cells all parse as numbers is numeric, otherwise categorical; in a numeric column NaN and
 * infinities (nan, inf, -inf, Infinity, any case) are missing values. A caller may force a column's kind (compare
 * reads the current file with the reference file's kinds).
 *
 * <p>The file is read twice: the first pass checks the structure, decides each column's kind, counts the rows
 * and hashes the bytes; the second fills one primitive array per numeric column (and deduplicated strings for
 * categorical ones), so memory is about 8 bytes per numeric cell rather than one String per cell.
 */
public final class CsvTableReader {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Set<String> NON_FINITE = Set.of(
            "nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity");

    /** Rows a column array can hold. */
    private static final long MAX_ROWS = Integer.MAX_VALUE - 8;

    private CsvTableReader() {}

    public static Table read(Path file) {
        return read(file, Map.of());
    }

    /** Reads the file; columns named in {@code kinds} get that kind instead of the inferred one. */
    public static Table read(Path file, Map<String, FeatureKind> kinds) {
        TableReader.checkReadable(file);
        try {
            refuseNonText(file);
            Layout layout = scan(file);
            return fill(file, layout, kinds);
        } catch (CharacterCodingException e) {
            throw notUtf8(file);
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Formats recognised by their first bytes that are often given in place of a CSV file, and what to do. */
    private static final List<Map.Entry<byte[], String>> NOT_TEXT = List.of(
            Map.entry(new byte[] {0x1f, (byte) 0x8b}, "is gzip-compressed, not CSV text: decompress it first (gunzip)"),
            Map.entry(new byte[] {'P', 'K', 3, 4}, "is a ZIP archive (or an Excel/ODF workbook), not CSV text: extract or export it as CSV first"),
            Map.entry(new byte[] {'B', 'Z', 'h'}, "is bzip2-compressed, not CSV text: decompress it first (bunzip2)"),
            Map.entry(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, "is xz-compressed, not CSV text: decompress it first (unxz)"),
            Map.entry(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, "is zstd-compressed, not CSV text: decompress it first (unzstd)"),
            Map.entry(new byte[] {(byte) 0xff, (byte) 0xfe}, "is UTF-16 text: save it as UTF-8"),
            Map.entry(new byte[] {(byte) 0xfe, (byte) 0xff}, "is UTF-16 text: save it as UTF-8"));

    /** Bytes looked at for a NUL, which no CSV text holds and nearly every binary file does early on. */
    private static final int SNIFF_BYTES = 8192;

    /** Refuses a compressed, UTF-16 or binary file by its first bytes, before any of it is parsed as CSV. */
    private static void refuseNonText(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        for (Map.Entry<byte[], String> f : NOT_TEXT) {
            byte[] magic = f.getKey();
            if (head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length)) {
                throw new InputException(file, f.getValue());
            }
        }
        for (int i = 0; i < head.length; i++) {
            if (head[i] == 0) {
                throw new InputException(file, "is a binary file, not CSV text (a zero byte at byte offset " + i + ")");
            }
        }
    }

    /** The error for a file that is not UTF-8, naming the first byte that is not and its line. */
    private static InputException notUtf8(Path file) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        CharBuffer out = CharBuffer.allocate(1 << 16);
        long offset = 0;
        long line = 1;
        try (InputStream raw = Files.newInputStream(file)) {
            for (boolean end = false; !end; ) {
                int n = raw.read(in.array(), in.position(), in.remaining());
                end = n < 0;
                in.position(in.position() + Math.max(n, 0));
                in.flip();
                while (true) {
                    int before = in.position();
                    CoderResult r = decoder.decode(in, out, end);
                    for (int i = before; i < in.position(); i++) {
                        if (in.get(i) == '\n') {
                            line++;
                        }
                    }
                    offset += in.position() - before;
                    if (r.isError()) {
                        return new InputException(file, String.format(Locale.ROOT,
                                "is not UTF-8 text: the byte 0x%02X at byte offset %d (line %d) is not valid UTF-8; save the file as UTF-8",
                                in.get(in.position()) & 0xff, offset, line));
                    }
                    out.clear();
                    if (r.isUnderflow()) {
                        break;
                    }
                }
                in.compact();
            }
        } catch (IOException e) {
            return new InputException(file, "cannot read: " + e.getMessage(), e);
        }
        return new InputException(file, "is not UTF-8 text; save the file as UTF-8");
    }

    /** What the first pass learns. */
    private record Layout(String[] header, boolean[] numeric, String[] firstNonNumber, long[] firstNonNumberLine,
                          long rows, String sha256) {}

    private static Layout scan(Path file) throws IOException {
        MessageDigest sha = TableReader.sha256();
        try (InputStream raw = new DigestInputStream(Files.newInputStream(file), sha);
             BufferedReader reader = utf8(raw)) {
            CsvRecords records = new CsvRecords(reader, file);
            List<String> headerFields = records.next();
            if (headerFields == null) {
                throw new InputException(file, "is empty: expected a header row naming the columns");
            }
            String[] header = header(file, headerFields);
            int width = header.length;
            boolean[] numeric = new boolean[width];
            Arrays.fill(numeric, true);
            String[] firstNonNumber = new String[width];
            long[] firstNonNumberLine = new long[width];
            long rows = 0;
            for (List<String> fields; (fields = records.next()) != null; ) {
                checkWidth(file, header, fields, records.recordLine());
                for (int i = 0; i < width; i++) {
                    if (numeric[i]) {
                        String cell = fields.get(i).strip();
                        if (!cell.isEmpty() && !isNumber(cell)) {
                            numeric[i] = false;
                            firstNonNumber[i] = fields.get(i);
                            firstNonNumberLine[i] = records.recordLine();
                        }
                    }
                }
                if (++rows > MAX_ROWS) {
                    throw new InputException(file, "has more than " + MAX_ROWS + " rows, more than a table held in memory can take");
                }
            }
            // drain what the reader did not need so the digest covers every byte
            raw.transferTo(java.io.OutputStream.nullOutputStream());
            return new Layout(header, numeric, firstNonNumber, firstNonNumberLine, rows, TableReader.hex(sha.digest()));
        }
    }

    private static Table fill(Path file, Layout layout, Map<String, FeatureKind> kinds) throws IOException {
        String[] header = layout.header();
        int width = header.length;
        boolean[] numeric = new boolean[width];
        for (int i = 0; i < width; i++) {
            FeatureKind forced = kinds.get(header[i]);
            numeric[i] = forced == null ? layout.numeric()[i] : forced == FeatureKind.NUMERIC;
            if (numeric[i] && !layout.numeric()[i]) {
                throw new InputException(file, header[i], "expected numbers, but '" + layout.firstNonNumber()[i]
                        + "' on line " + layout.firstNonNumberLine()[i] + " is not a number");
            }
        }
        int rows = (int) layout.rows();
        double[][] numbers = new double[width][];
        String[][] strings = new String[width][];
        int[] counts = new int[width];
        long[] missing = new long[width];
        Map<String, String> distinct = new HashMap<>();
        for (int i = 0; i < width; i++) {
            if (numeric[i]) {
                numbers[i] = new double[rows];
            } else {
                strings[i] = new String[rows];
            }
        }
        try (BufferedReader reader = utf8(Files.newInputStream(file))) {
            CsvRecords records = new CsvRecords(reader, file);
            records.next();
            long seen = 0;
            for (List<String> fields; (fields = records.next()) != null; ) {
                if (++seen > rows) {
                    throw new InputException(file, "changed while it was being read");
                }
                checkWidth(file, header, fields, records.recordLine());
                for (int i = 0; i < width; i++) {
                    String cell = fields.get(i);
                    String stripped = cell.strip();
                    if (stripped.isEmpty()) {
                        missing[i]++;
                    } else if (numeric[i]) {
                        if (NON_FINITE.contains(stripped.toLowerCase(Locale.ROOT))) {
                            missing[i]++;
                        } else {
                            numbers[i][counts[i]++] = Double.parseDouble(stripped);
                        }
                    } else {
                        // categories repeat: keep one String per distinct value
                        strings[i][counts[i]++] = distinct.computeIfAbsent(cell, s -> s);
                    }
                }
            }
        }
        List<Column> columns = new ArrayList<>(width);
        for (int i = 0; i < width; i++) {
            columns.add(numeric[i]
                    ? new NumericColumn(header[i], Arrays.copyOf(numbers[i], counts[i]), missing[i])
                    : new CategoricalColumn(header[i], Arrays.copyOf(strings[i], counts[i]), missing[i]));
        }
        return new Table(file, layout.sha256(), layout.rows(), columns);
    }

    /** Whether a non-empty, stripped cell counts as a number (NaN and infinities included). */
    static boolean isNumber(String cell) {
        return NUMBER.matcher(cell).matches() || NON_FINITE.contains(cell.toLowerCase(Locale.ROOT));
    }

    private static String[] header(Path file, List<String> fields) {
        String[] header = new String[fields.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.length; i++) {
            String name = fields.get(i).strip();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1).strip();
            }
            if (name.isEmpty()) {
                throw new InputException(file, "header column " + (i + 1) + " has no name (is the first row a header?)");
            }
            if (!seen.add(name)) {
                throw new InputException(file, name, "appears twice in the header");
            }
            header[i] = name;
        }
        return header;
    }

    private static void checkWidth(Path file, String[] header, List<String> fields, long line) {
        if (fields.size() != header.length) {
            throw new InputException(file, "line " + line + " has " + fields.size() + " fields, the header has "
                    + header.length + " (ragged row; quote fields that contain commas)");
        }
    }

    private static BufferedReader utf8(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }
}
