package dev.driftwatch.io;

import dev.driftwatch.avro.FeatureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTableReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsQuotedFieldsCommasNewlinesAndDoubledQuotes() throws IOException {
        Path file = write("t.csv", "id,\"note, free text\",v\r\n1,\"a, b\",1.5\r\n2,\"line one\nline two\",2\r\n3,\"say \"\"hi\"\"\",-3e2\r\n");

        Table t = CsvTableReader.read(file);

        assertThat(t.columnNames()).containsExactly("id", "note, free text", "v");
        assertThat(t.rows()).isEqualTo(3);
        assertThat(((CategoricalColumn) t.column("note, free text")).values()).containsExactly("a, b", "line one\nline two", "say \"hi\"");
        assertThat(((NumericColumn) t.column("v")).values()).containsExactly(1.5, 2.0, -300.0);
        assertThat(((NumericColumn) t.column("id")).values()).containsExactly(1.0, 2.0, 3.0);
    }

    @Test
    void emptyCellsAndNonFiniteNumbersAreCountedAsMissing() throws IOException {
        Path file = write("t.csv", "x,c\n1.0,a\n,b\nNaN,\ninf,c\n-Infinity,  \n  2.5 ,a\n");

        Table t = CsvTableReader.read(file);

        NumericColumn x = (NumericColumn) t.column("x");
        assertThat(x.values()).containsExactly(1.0, 2.5);
        assertThat(x.missing()).isEqualTo(4);
        CategoricalColumn c = (CategoricalColumn) t.column("c");
        assertThat(c.values()).containsExactly("a", "b", "c", "a");
        assertThat(c.missing()).isEqualTo(2);
    }

    @Test
    void oneNonNumberMakesAColumnCategoricalWithItsTextKept() throws IOException {
        Path file = write("t.csv", "code\n1\n1.0\n007\nA12\n");

        Column code = CsvTableReader.read(file).column("code");

        assertThat(code.kind()).isEqualTo(FeatureKind.CATEGORICAL);
        assertThat(((CategoricalColumn) code).values()).containsExactly("1", "1.0", "007", "A12");
    }

    @Test
    void forcedKindsOverrideInference() throws IOException {
        Path digits = write("d.csv", "code,x\n1,2\n2,abc\n");

        Table t = CsvTableReader.read(digits, Map.of("code", FeatureKind.CATEGORICAL));

        assertThat(((CategoricalColumn) t.column("code")).values()).containsExactly("1", "2");
        assertThatThrownBy(() -> CsvTableReader.read(digits, Map.of("x", FeatureKind.NUMERIC)))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("d.csv").hasMessageContaining("column 'x'").hasMessageContaining("'abc' on line 3");
    }

    @Test
    void recordsSha256AndRowCountOfTheFile() throws Exception {
        String text = "\uFEFFa,b\n1,2\n\n3,4\n";
        Path file = write("t.csv", text);

        Table t = CsvTableReader.read(file);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(t.sha256()).isEqualTo(expected);
        assertThat(t.rows()).isEqualTo(2); // the blank line is not a row
        assertThat(t.columnNames()).containsExactly("a", "b"); // byte order mark dropped
    }

    @Test
    void headerOnlyFileHasColumnsWithoutValues() throws IOException {
        Table t = CsvTableReader.read(write("t.csv", "a,b\n"));

        assertThat(t.rows()).isZero();
        assertThat(t.column("a").count()).isZero();
    }

    @Test
    void badFilesAreInputExceptionsNamingFileAndPlace() throws IOException {
        assertThatThrownBy(() -> CsvTableReader.read(dir.resolve("missing.csv")))
                .isInstanceOf(InputException.class).hasMessageContaining("missing.csv").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> CsvTableReader.read(write("empty.csv", "")))
                .isInstanceOf(InputException.class).hasMessageContaining("empty.csv").hasMessageContaining("header");
        assertThatThrownBy(() -> CsvTableReader.read(write("ragged.csv", "a,b\n1,2\n3,4,5\n")))
                .isInstanceOf(InputException.class).hasMessageContaining("ragged.csv").hasMessageContaining("line 3 has 3 fields");
        assertThatThrownBy(() -> CsvTableReader.read(write("open.csv", "a,b\n1,\"2\n3,4\n")))
                .isInstanceOf(InputException.class).hasMessageContaining("open.csv").hasMessageContaining("never closed");
        assertThatThrownBy(() -> CsvTableReader.read(write("dup.csv", "a,b,a\n1,2,3\n")))
                .isInstanceOf(InputException.class).hasMessageContaining("column 'a'").hasMessageContaining("twice");
        assertThatThrownBy(() -> CsvTableReader.read(write("noname.csv", "a,,c\n1,2,3\n")))
                .isInstanceOf(InputException.class).hasMessageContaining("header column 2 has no name");
        Path binary = dir.resolve("binary.csv");
        Files.write(binary, new byte[] {'a', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> CsvTableReader.read(binary))
                .isInstanceOf(InputException.class).hasMessageContaining("not UTF-8");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
