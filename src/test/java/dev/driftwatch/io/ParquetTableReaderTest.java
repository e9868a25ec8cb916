package dev.driftwatch.io;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.FeatureKind;
import dev.driftwatch.baseline.BaselineBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParquetTableReaderTest {
    static final String[] CITIES = {"paris", "berlin", "rome", "a, b", "say \"hi\"", "zürich"};

    @TempDir
    Path dir;

    /**
     * The same training rows as CSV and as Parquet (written by DuckDB from the Java values, not from the CSV text):
     * doubles with nulls and NaN, integers, strings with nulls and blanks, booleans.
     */
    @Test
    void parquetAndCsvOfTheSameDataGiveIdenticalBaselines() throws Exception {
        int n = 3000;
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("income,age,city,member\n");
        Path parquet = dir.resolve("train.data"); // recognised by its magic bytes, not its name
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (income DOUBLE, age BIGINT, city VARCHAR, member BOOLEAN)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    double income = Math.exp(10 + r.nextGaussian());
                    boolean nullIncome = i % 97 == 0;
                    boolean nanIncome = i % 101 == 0;
                    long age = 18 + r.nextInt(60);
                    String city = i % 89 == 0 ? null : i % 83 == 0 ? "  " : CITIES[r.nextInt(CITIES.length)];
                    boolean member = r.nextInt(3) == 0;
                    if (nullIncome) {
                        ps.setNull(1, Types.DOUBLE);
                        csv.append("");
                    } else if (nanIncome) {
                        ps.setDouble(1, Double.NaN);
                        csv.append("NaN");
                    } else {
                        ps.setDouble(1, income);
                        csv.append(income);
                    }
                    ps.setLong(2, age);
                    if (city == null) {
                        ps.setNull(3, Types.VARCHAR);
                    } else {
                        ps.setString(3, city);
                    }
                    ps.setBoolean(4, member);
                    ps.addBatch();
                    csv.append(',').append(age).append(',')
                            .append(city == null ? "" : "\"" + city.replace("\"", "\"\"") + "\"").append(',')
                            .append(member).append('\n');
                }
                ps.executeBatch();
            }
            st.execute("COPY t TO '" + parquet + "' (FORMAT parquet, ROW_GROUP_SIZE 1000)");
        }
        Path csvFile = dir.resolve("train.csv");
        Files.writeString(csvFile, csv);

        Table fromCsv = TableReader.read(csvFile);
        Table fromParquet = TableReader.read(parquet);

        assertThat(fromParquet.columnNames()).containsExactly("income", "age", "city", "member");
        assertThat(fromParquet.rows()).isEqualTo(fromCsv.rows()).isEqualTo(n);
        assertThat(fromParquet.sha256()).isEqualTo(TableReader.sha256Of(parquet)).isNotEqualTo(fromCsv.sha256());
        NumericColumn income = (NumericColumn) fromParquet.column("income");
        assertThat(income.missing()).as("nulls and NaN").isEqualTo(((NumericColumn) fromCsv.column("income")).missing()).isGreaterThan(40);
        assertThat(fromParquet.column("member").kind()).isEqualTo(FeatureKind.CATEGORICAL);

        BaselineLineage lineage = BaselineBuilder.lineage(fromCsv, Instant.parse("2026-03-01T00:00:00Z"));
        BaselineBuilder builder = new BaselineBuilder("m", "v1", 10, 500, 50, lineage);
        List<FeatureBaseline> csvBaselines = builder.buildAll(fromCsv);
        List<FeatureBaseline> parquetBaselines = builder.buildAll(fromParquet);
        assertThat(parquetBaselines).hasSize(4).containsExactlyElementsOf(csvBaselines);
        assertThat(parquetBaselines.get(2).getCategories()).contains("a, b", "say \"hi\"", "zürich");
    }

    @Test
    void columnsOfOtherTypesAreSkippedAndAForcedNumericTextColumnIsRefused() throws Exception {
        Path parquet = dir.resolve("t.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT i::DOUBLE AS x, 'c' || (i % 3) AS code, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS event_timestamp "
                    + "FROM range(100) t(i)) TO '" + parquet + "' (FORMAT parquet)");
        }
        Table t = ParquetTableReader.read(parquet);
        assertThat(t.columnNames()).containsExactly("x", "code");
        assertThat(((NumericColumn) t.column("x")).values()).hasSize(100);

        assertThatThrownBy(() -> ParquetTableReader.read(parquet, java.util.Map.of("code", FeatureKind.NUMERIC)))
                .isInstanceOf(InputException.class).hasMessageContaining("column 'code'").hasMessageContaining("expected numbers");
    }

    @Test
    void aTruncatedParquetFileIsAClearInputError() throws Exception {
        Path parquet = dir.resolve("t.parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT i::DOUBLE AS x FROM range(1000) t(i)) TO '" + parquet + "' (FORMAT parquet)");
        }
        byte[] bytes = Files.readAllBytes(parquet);
        Files.write(parquet, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> TableReader.read(parquet))
                .isInstanceOf(InputException.class).hasMessageStartingWith(parquet.toString()).hasMessageContaining("Parquet");
    }
}
