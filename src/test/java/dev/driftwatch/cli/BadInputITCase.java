package dev.driftwatch.cli;

import dev.driftwatch.avro.InferenceEvent;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every bad input a user can hand the command line, one row each: the command, the bad file it is given (made here
 * from good ones: an Avro container cut short, a FIFO, a Parquet footer overwritten, ...), and what the user must
 * see: exit code 2, nothing on stdout, and exactly one line on stderr that names the file (or flag), says what is
 * wrong and where. Never a stack trace, never exit 3, never a hang, never a partial file read as a whole one.
 *
 * <p>Most rows run the command line in this JVM through {@link Main#execute} (a process costs seconds of JVM start
 * on a small machine, times some forty rows). A row runs {@code bin/driftwatch} as a process where only a process
 * shows what a user sees: a FIFO or a device (a hang must be killable; a thread blocked opening a FIFO is not),
 * an unreadable file (the process drops root's permission override), libraries that log to stderr (Kafka, DuckDB)
 * under the command line's own log configuration, and the headline case of the issue, the truncated container.
 */
class BadInputITCase {
    /** Long enough for any machine to start a JVM and refuse a file; a run still going after it hangs. */
    static final Duration HANG = Duration.ofMinutes(2);

    @TempDir
    static Path dir;

    enum Run {
        IN_PROCESS,
        PROCESS,
        /** A process that cannot read a file its mode forbids, even when the tests run as root. */
        PROCESS_WITHOUT_ROOT_OVERRIDE
    }

    /** Makes the bad input of one row in {@link #dir}. */
    interface Input {
        void make() throws Exception;
    }

    /**
     * One row. {@code line} is the whole stderr line, with {@code #} for a number and {@code *} for any text (Kafka's
     * own words); file names are as given on the command line.
     */
    record Case(String name, Input input, Run run, String command, String line) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final int EVENTS = 3000;

    @BeforeAll
    static void goodFiles() throws Exception {
        Random r = new Random(7);
        StringBuilder reference = new StringBuilder("x,seg\n");
        StringBuilder current = new StringBuilder("x,seg\n");
        for (int i = 0; i < 500; i++) {
            reference.append(r.nextGaussian()).append(',').append("abc".charAt(r.nextInt(3))).append('\n');
            current.append(r.nextGaussian()).append(',').append("abc".charAt(r.nextInt(3))).append('\n');
        }
        Files.writeString(dir.resolve("reference.csv"), reference);
        Files.writeString(dir.resolve("current.csv"), current);
        writeEvents(dir.resolve("events.avro"), CodecFactory.nullCodec());
        writeEvents(dir.resolve("events-deflate.avro"), CodecFactory.deflateCodec(6));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT random() AS x, (i % 3)::VARCHAR AS seg FROM range(2000) t(i)) TO '"
                    + dir.resolve("data.parquet") + "' (FORMAT parquet)");
        }
        Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(dir.resolve("baselines"));
        assertThat(cli("baseline", "build", "--input", path("reference.csv"), "--model", "fraud", "--version", "v1",
                "--out", path("baselines")).exitCode()).isZero();
    }

    static Stream<Case> cases() {
        return Stream.of(
                // Avro containers
                new Case("truncated Avro container, baseline build (was: exit 0, a baseline of the rows before the cut)",
                        () -> cut("events.avro", "trunc.avro", 0.9), Run.PROCESS,
                        "baseline build --input trunc.avro --model fraud --version v1 --out out",
                        "driftwatch baseline build: trunc.avro: is truncated: the Avro data stops inside a block; "
                                + "the last complete block ends at byte offset # of # (# records before it)"),
                new Case("truncated Avro container, compare's current file",
                        () -> cut("events.avro", "trunc.avro", 0.9), Run.IN_PROCESS,
                        "compare --reference events.avro --current trunc.avro",
                        "driftwatch compare: trunc.avro: is truncated: the Avro data stops inside a block; "
                                + "the last complete block ends at byte offset # of # (# records before it)"),
                new Case("Avro container cut inside its header (was: 'null')",
                        () -> Files.write(dir.resolve("header-cut.avro"), Arrays.copyOf(bytes("events.avro"), 100)), Run.IN_PROCESS,
                        "compare --reference header-cut.avro --current events.avro",
                        "driftwatch compare: header-cut.avro: is truncated: it ends inside its Avro header, after 100 bytes"),
                new Case("Avro record overwritten with garbage",
                        () -> overwrite("events.avro", "garbage.avro", firstBlock("events.avro") + 300, 100, (byte) 0xff), Run.IN_PROCESS,
                        "baseline build --input garbage.avro --model fraud --version v1 --out out",
                        "driftwatch baseline build: garbage.avro: is corrupt: record # (in the Avro block at byte offset #) "
                                + "cannot be decoded: *"),
                new Case("deflate-compressed Avro block damaged (was: 'ZipException')",
                        () -> overwrite("events-deflate.avro", "bad-deflate.avro", firstBlock("events-deflate.avro") + 40, 64, (byte) 0x55),
                        Run.IN_PROCESS,
                        "compare --reference bad-deflate.avro --current events.avro",
                        "driftwatch compare: bad-deflate.avro: is corrupt: the Avro block at byte offset # (after 0 records) "
                                + "cannot be read: its deflate-compressed data is damaged*"),
                new Case("Avro sync marker overwritten",
                        () -> overwrite("events.avro", "bad-sync.avro", Files.size(dir.resolve("events.avro")) - 16, 16, (byte) 0),
                        Run.IN_PROCESS,
                        "compare --reference bad-sync.avro --current events.avro",
                        "driftwatch compare: bad-sync.avro: is corrupt: the Avro block at byte offset # (after # records) "
                                + "cannot be read: it does not end with the file's sync marker"),
                new Case("a baseline file given as data",
                        () -> { }, Run.IN_PROCESS,
                        "compare --reference baselines/fraud__v1.avro --current current.csv",
                        "driftwatch compare: baselines/fraud__v1.avro: holds Avro records of type FeatureBaseline, not InferenceEvent"),
                new Case("a data file given to baseline show (was: exit 3, a stack trace)",
                        () -> { }, Run.IN_PROCESS,
                        "baseline show events.avro",
                        "driftwatch baseline show: events.avro: holds Avro records of type InferenceEvent, not FeatureBaseline"),
                new Case("truncated baseline file (was: 'no baselines', exit 0)",
                        () -> cut("baselines/fraud__v1.avro", "baseline-cut.avro", 0.8), Run.IN_PROCESS,
                        "baseline show baseline-cut.avro",
                        "driftwatch baseline show: baseline-cut.avro: is truncated: the Avro data stops inside a block; "
                                + "the last complete block ends at byte offset # of # (0 records before it)"),
                new Case("--model that no event of the Avro file has (was: a baseline of another model's events)",
                        () -> { }, Run.IN_PROCESS,
                        "baseline build --input events.avro --model churn --version v1 --out out",
                        "driftwatch baseline build: events.avro: holds no events of model 'churn', only of 'fraud' (3000 events)"),

                // files that are not regular files
                new Case("FIFO, compare (was: hangs forever)",
                        () -> mkfifo("fifo.csv"), Run.PROCESS,
                        "compare --reference fifo.csv --current current.csv",
                        "driftwatch compare: fifo.csv: is a named pipe (FIFO), not a regular file; write the data to a file and give that"),
                new Case("FIFO, baseline build (was: hangs forever)",
                        () -> mkfifo("fifo.csv"), Run.PROCESS,
                        "baseline build --input fifo.csv --model fraud --version v1 --out out",
                        "driftwatch baseline build: fifo.csv: is a named pipe (FIFO), not a regular file; write the data to a file and give that"),
                new Case("endless device, compare",
                        () -> { }, Run.PROCESS,
                        "compare --reference reference.csv --current /dev/zero",
                        "driftwatch compare: /dev/zero: is a character device, not a regular file; write the data to a file and give that"),
                new Case("device, baseline show",
                        () -> { }, Run.IN_PROCESS,
                        "baseline show /dev/null",
                        "driftwatch baseline show: /dev/null: is a character device, not a regular file; write the data to a file and give that"),
                new Case("directory passed as a file",
                        () -> Files.createDirectories(dir.resolve("dir.csv")), Run.IN_PROCESS,
                        "compare --reference dir.csv --current current.csv",
                        "driftwatch compare: dir.csv: is a directory, expected a CSV, Avro or Parquet file"),
                new Case("unreadable file (mode 000)",
                        () -> unreadable("reference.csv", "locked.csv"), Run.PROCESS_WITHOUT_ROOT_OVERRIDE,
                        "compare --reference locked.csv --current current.csv",
                        "driftwatch compare: locked.csv: is not readable: permission denied (check the file's owner and mode)"),
                new Case("missing file",
                        () -> { }, Run.IN_PROCESS,
                        "baseline build --input no-such.csv --model fraud --version v1 --out out",
                        "driftwatch baseline build: no-such.csv: file does not exist"),

                // Parquet
                new Case("truncated Parquet file (was: DuckDB's 'unsuccessful or closed pending query result')",
                        () -> cut("data.parquet", "cut.parquet", 0.7), Run.PROCESS,
                        "compare --reference cut.parquet --current current.csv",
                        "driftwatch compare: cut.parquet: is truncated: it starts as a Parquet file but does not end with the "
                                + "Parquet footer ('PAR1' missing at byte offset # of #)"),
                new Case("Parquet footer overwritten",
                        () -> overwrite("data.parquet", "bad-footer.parquet", footerStart("data.parquet"), 40, (byte) 0xab), Run.IN_PROCESS,
                        "baseline build --input bad-footer.parquet --model fraud --version v1 --out out",
                        "driftwatch baseline build: bad-footer.parquet: has a damaged Parquet footer (byte offsets # to #, "
                                + "where the schema and row groups are described): *"),

                // CSV
                new Case("header-only reference (was: blamed the current file)",
                        () -> Files.writeString(dir.resolve("header-only.csv"), "x,seg\n"), Run.IN_PROCESS,
                        "compare --reference header-only.csv --current current.csv",
                        "driftwatch compare: header-only.csv: has no data rows (a header or schema alone)"),
                new Case("header-only current file",
                        () -> Files.writeString(dir.resolve("header-only.csv"), "x,seg\n"), Run.IN_PROCESS,
                        "compare --reference reference.csv --current header-only.csv",
                        "driftwatch compare: header-only.csv: has no data rows (a header or schema alone)"),
                new Case("header-only training file",
                        () -> Files.writeString(dir.resolve("header-only.csv"), "x,seg\n"), Run.IN_PROCESS,
                        "baseline build --input header-only.csv --model fraud --version v1 --out out",
                        "driftwatch baseline build: header-only.csv: has no data rows (a header or schema alone)"),
                new Case("ragged CSV row",
                        () -> Files.writeString(dir.resolve("ragged.csv"), "x,seg\n1,a\n2,b,c\n"), Run.IN_PROCESS,
                        "compare --reference ragged.csv --current current.csv",
                        "driftwatch compare: ragged.csv: line 3 has 3 fields, the header has 2 (ragged row; quote fields that contain commas)"),
                new Case("quoted CSV field never closed",
                        () -> Files.writeString(dir.resolve("open-quote.csv"), "x,seg\n1,\"a\n2,b\n"), Run.IN_PROCESS,
                        "compare --reference open-quote.csv --current current.csv",
                        "driftwatch compare: open-quote.csv: line 2: quoted field is never closed (missing '\"')"),
                new Case("gzip'd CSV",
                        () -> gzip("reference.csv", "reference.csv.gz"), Run.IN_PROCESS,
                        "compare --reference reference.csv.gz --current current.csv",
                        "driftwatch compare: reference.csv.gz: is gzip-compressed, not CSV text: decompress it first (gunzip)"),
                new Case("binary file as CSV",
                        () -> Files.write(dir.resolve("program.csv"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}), Run.IN_PROCESS,
                        "compare --reference reference.csv --current program.csv",
                        "driftwatch compare: program.csv: is a binary file, not CSV text (a zero byte at byte offset 7)"),
                new Case("non-UTF-8 CSV (Latin-1)",
                        () -> Files.write(dir.resolve("latin1.csv"), "x,seg\n1,a\n2,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1)),
                        Run.IN_PROCESS,
                        "compare --reference reference.csv --current latin1.csv",
                        "driftwatch compare: latin1.csv: is not UTF-8 text: the byte 0xE9 at byte offset 15 (line 3) is not valid UTF-8; "
                                + "save the file as UTF-8"),
                new Case("UTF-16 CSV",
                        () -> Files.write(dir.resolve("utf16.csv"), utf16("x,seg\n1,a\n")), Run.IN_PROCESS,
                        "baseline build --input utf16.csv --model fraud --version v1 --out out",
                        "driftwatch baseline build: utf16.csv: is UTF-16 text: save it as UTF-8"),
                new Case("a line of megabytes (no line breaks)",
                        () -> Files.writeString(dir.resolve("one-line.csv"), "x,seg\n1," + "a".repeat((1 << 20) + 1) + "\n"), Run.IN_PROCESS,
                        "compare --reference reference.csv --current one-line.csv",
                        "driftwatch compare: one-line.csv: line 2, field 2 is longer than 1048576 characters (is this a CSV file with line breaks?)"),
                new Case("words in a numeric column",
                        () -> Files.writeString(dir.resolve("words.csv"), "x,seg\n1.5,a\nn/a,b\n"), Run.IN_PROCESS,
                        "compare --reference reference.csv --current words.csv",
                        "driftwatch compare: words.csv: column 'x': expected numbers, but 'n/a' on line 3 is not a number"),
                new Case("a column named by a flag that the file lacks",
                        () -> { }, Run.IN_PROCESS,
                        "baseline build --input reference.csv --model fraud --version v1 --out out --prediction-column score",
                        "driftwatch baseline build: reference.csv: column 'score': no such column (columns: 'x', 'seg')"),

                // Kafka settings of alerts tail
                new Case("alerts tail, a Kafka setting the client refuses (was: exit 3, a stack trace)",
                        () -> { }, Run.PROCESS,
                        "alerts tail --bootstrap-servers 127.0.0.1:1 --property security.protocol=BOGUS",
                        "driftwatch alerts tail: Kafka client setting refused: Invalid value BOGUS for configuration security.protocol: *"),
                new Case("alerts tail, a malformed JAAS line",
                        () -> { }, Run.IN_PROCESS,
                        "alerts tail --bootstrap-servers 127.0.0.1:1 --property security.protocol=SASL_PLAINTEXT "
                                + "--property sasl.mechanism=PLAIN --property sasl.jaas.config=garbage",
                        "driftwatch alerts tail: Kafka client setting refused: *JAAS*"),
                new Case("alerts tail, a broker address that does not resolve",
                        () -> { }, Run.IN_PROCESS,
                        "alerts tail --bootstrap-servers no-such-host.invalid:9092",
                        "driftwatch alerts tail: Kafka client setting refused: No resolvable bootstrap urls given in bootstrap.servers"),
                new Case("alerts tail, no broker listening (was: exit 3 after 30 s)",
                        () -> { }, Run.PROCESS,
                        "alerts tail --bootstrap-servers 127.0.0.1:1 --timeout 2s",
                        "driftwatch alerts tail: no answer from Kafka at 127.0.0.1:1 within 2s "
                                + "(check --bootstrap-servers, the broker, and --property for TLS or SASL)"),

                // config files and durations
                new Case("empty config file is the default config (was: 'No content to map'); replay goes on to check its range",
                        () -> Files.writeString(dir.resolve("empty.yaml"), ""), Run.IN_PROCESS,
                        "replay --config empty.yaml --from 2026-01-02T00:00:00Z --to 2026-01-01T00:00:00Z",
                        "driftwatch replay: --from must be before --to, got 2026-01-02T00:00:00Z .. 2026-01-01T00:00:00Z"),
                new Case("durations in a config error are written as in the config (was: PT7M)",
                        () -> Files.writeString(dir.resolve("window.yaml"), "window: {size: 7m, slide: 2m}\n"), Run.IN_PROCESS,
                        "replay --config window.yaml --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z",
                        "driftwatch replay: window.size: must be a whole multiple of window.slide (2m), got 7m"),
                new Case("an ISO-8601 duration flag",
                        () -> { }, Run.IN_PROCESS,
                        "alerts tail --bootstrap-servers 127.0.0.1:1 --timeout PT5S",
                        "driftwatch alerts tail: --timeout: expected a duration like 500ms, 30s, 10m, 2h or 7d, got 'PT5S' "
                                + "(ISO-8601 durations such as PT6H are not read: write 6h)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsExitTwoAndOneLineSayingWhatAndWhere(Case c) throws Exception {
        c.input().make();
        List<String> args = List.of(c.command().split(" "));

        CliProcess.Result result = c.run() == Run.IN_PROCESS
                ? assertTimeoutPreemptively(HANG, () -> cli(args.stream().map(BadInputITCase::path).toArray(String[]::new)),
                        () -> c.command() + " hangs")
                : CliProcess.run(dir, HANG, c.run() == Run.PROCESS ? List.of() : withoutRootOverride(), args);

        String stderr = result.stderr().replace(dir + "/", "");
        assertThat(result.exitCode()).as(stderr).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(result.stdout()).as("stdout").isEmpty();
        assertThat(stderr.lines().filter(l -> !l.isBlank()).toList()).as("stderr lines")
                .singleElement().asString().matches(pattern(c.line()));
    }

    /** The command line in this JVM, as bin/driftwatch runs it. */
    static CliProcess.Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliProcess.Result(code, out.toString(), err.toString());
    }

    /** An argument naming a file of the test directory as an absolute path (this JVM does not run in it). */
    static String path(String arg) {
        return !arg.startsWith("-") && Files.exists(dir.resolve(arg)) ? dir.resolve(arg).toString() : arg;
    }

    /** {@code #} any number, {@code *} any text, the rest literal. */
    static Pattern pattern(String line) {
        StringBuilder regex = new StringBuilder();
        for (String part : line.split("(?=[#*])|(?<=[#*])")) {
            regex.append(part.equals("#") ? "\\d+" : part.equals("*") ? ".*" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    /**
     * setpriv without the capabilities that let root read any file, when the tests run as root (as in CI's
     * containers); nothing otherwise, since mode 000 already stops anyone else.
     */
    static List<String> withoutRootOverride() throws IOException {
        if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") != 0) {
            return List.of();
        }
        assertThat(Path.of("/usr/bin/setpriv")).as("running as root, this row needs util-linux's setpriv to drop the "
                + "permission override; without it the row cannot show an unreadable file").isExecutable();
        return List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--");
    }

    static void writeEvents(Path file, CodecFactory codec) throws IOException {
        Random r = new Random(11);
        try (DataFileWriter<InferenceEvent> w = new DataFileWriter<>(new SpecificDatumWriter<>(InferenceEvent.class))) {
            // small blocks, so a cut lands after some complete ones, as in a large file
            w.setCodec(codec).setSyncInterval(4096);
            w.create(InferenceEvent.getClassSchema(), file.toFile());
            for (int i = 0; i < EVENTS; i++) {
                Map<String, Object> features = new HashMap<>();
                features.put("x", r.nextGaussian());
                features.put("seg", String.valueOf("abc".charAt(r.nextInt(3))));
                w.append(InferenceEvent.newBuilder().setEventId("e" + i).setModelName("fraud").setModelVersion("v1")
                        .setEventTime(Instant.ofEpochMilli(1_767_225_600_000L + i * 1000L)).setFeatures(features)
                        .setPrediction(r.nextDouble()).build());
            }
        }
    }

    static byte[] bytes(String name) throws IOException {
        return Files.readAllBytes(dir.resolve(name));
    }

    /** {@code to}: the first {@code fraction} of {@code from}'s bytes, as a copy cut short leaves it. */
    static void cut(String from, String to, double fraction) throws IOException {
        byte[] b = bytes(from);
        Files.write(dir.resolve(to), Arrays.copyOf(b, (int) (b.length * fraction)));
    }

    /** {@code to}: {@code from} with {@code length} bytes from {@code offset} on set to {@code value}. */
    static void overwrite(String from, String to, long offset, int length, byte value) throws IOException {
        byte[] b = bytes(from);
        Arrays.fill(b, (int) offset, (int) offset + length, value);
        Files.write(dir.resolve(to), b);
    }

    /** Byte offset of an Avro container's first block (the end of its header). */
    static long firstBlock(String name) throws IOException {
        try (DataFileReader<InferenceEvent> r = new DataFileReader<>(dir.resolve(name).toFile(), new SpecificDatumReader<>(InferenceEvent.class))) {
            return r.previousSync();
        }
    }

    /** Byte offset of a Parquet file's footer metadata (before its 4-byte length and the closing magic). */
    static long footerStart(String name) throws IOException {
        byte[] b = bytes(name);
        int length = (b[b.length - 8] & 0xff) | (b[b.length - 7] & 0xff) << 8 | (b[b.length - 6] & 0xff) << 16 | (b[b.length - 5] & 0xff) << 24;
        return b.length - 8 - length;
    }

    static void mkfifo(String name) throws Exception {
        Files.deleteIfExists(dir.resolve(name));
        Process p = new ProcessBuilder("mkfifo", dir.resolve(name).toString()).inheritIO().start();
        assertThat(p.waitFor()).as("mkfifo").isZero();
    }

    static void unreadable(String from, String to) throws IOException {
        Path file = dir.resolve(to);
        Files.deleteIfExists(file);
        Files.copy(dir.resolve(from), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    }

    static void gzip(String from, String to) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(to)))) {
            out.write(bytes(from));
        }
    }

    /** Text as Windows writes "Unicode text": UTF-16 little-endian after a byte order mark. */
    static byte[] utf16(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] b = new byte[body.length + 2];
        b[0] = (byte) 0xff;
        b[1] = (byte) 0xfe;
        System.arraycopy(body, 0, b, 2, body.length);
        return b;
    }
}
