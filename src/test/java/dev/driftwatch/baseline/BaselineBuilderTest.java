package dev.driftwatch.baseline;

import dev.driftwatch.avro.BaselineLineage;
import dev.driftwatch.avro.FeatureBaseline;
import dev.driftwatch.avro.KsSupport;
import dev.driftwatch.io.CategoricalColumn;
import dev.driftwatch.io.InputException;
import dev.driftwatch.io.NumericColumn;
import dev.driftwatch.io.Table;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BaselineBuilderTest {
    private static final BaselineLineage LINEAGE = BaselineLineage.newBuilder()
            .setDatasetSha256("ab".repeat(32)).setRows(0).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
            .setSource("/data/train.csv").setCodeVersion("test").build();

    private static BaselineBuilder builder(int sample, int topCategories) {
        return new BaselineBuilder("fraud", "v1", 10, sample, topCategories, LINEAGE);
    }

    private static Table table(NumericColumn... columns) {
        return new Table(Path.of("train.csv"), "ab".repeat(32), columns.length == 0 ? 0 : columns[0].count(), List.of(columns));
    }

    @Test
    void rebuildingFromShuffledRowsGivesTheSameBaseline() {
        double[] values = new Random(7).doubles(5000).map(d -> d * 100).toArray();
        List<Double> shuffled = new ArrayList<>(Arrays.stream(values).boxed().toList());
        Collections.shuffle(shuffled, new Random(8));
        double[] other = shuffled.stream().mapToDouble(Double::doubleValue).toArray();

        FeatureBaseline a = builder(300, 50).numeric(new NumericColumn("amount", values, 4));
        FeatureBaseline b = builder(300, 50).numeric(new NumericColumn("amount", other, 4));

        assertThat(b).isEqualTo(a);
        assertThat(a.getReferenceSample()).hasSize(300).doesNotHaveDuplicates();
        assertThat(Arrays.stream(values).boxed().toList()).containsAll(a.getReferenceSample());
        assertThat(a.getKsSupport()).isEqualTo(KsSupport.SAMPLE);
        assertThat(a.getMissingCount()).isEqualTo(4);
        assertThat(a.getMissingFraction()).isEqualTo(4.0 / 5004);
        // a different feature name draws a different sample from the same values
        FeatureBaseline renamed = builder(300, 50).numeric(new NumericColumn("amount2", values, 4));
        assertThat(renamed.getReferenceSample()).isNotEqualTo(a.getReferenceSample());
    }

    @Test
    void allValuesSampleKeepsEveryValue() {
        double[] values = {5, 1, 4, 1, 3};

        FeatureBaseline b = builder(BaselineBuilder.ALL_VALUES, 50).numeric(new NumericColumn("x", values, 0));

        assertThat(b.getReferenceSample()).containsExactly(1.0, 1.0, 3.0, 4.0, 5.0);
    }

    @Test
    void discreteValuesCollapseDuplicateEdgesAndFractionsAreExact() {
        // 71 zeros, 20 ones, 10 twos: 101 values put every decile on a value (numpy index 10k), most of them 0
        double[] values = new double[101];
        Arrays.fill(values, 71, 91, 1);
        Arrays.fill(values, 91, 101, 2);

        FeatureBaseline b = builder(50, 50).numeric(new NumericColumn("x", values, 0));

        assertThat(b.getBinEdges()).containsExactly(0.0, 1.0);
        assertThat(b.getBinFractions()).containsExactly(71 / 101.0, 20 / 101.0, 10 / 101.0);
    }

    @Test
    void summaryStatisticsOfTheValues() {
        double[] values = {2, 4, 4, 4, 5, 5, 7, 9};

        var s = builder(10, 50).numeric(new NumericColumn("x", values, 0)).getStats();

        assertThat(s.getMean()).isEqualTo(5.0);
        assertThat(s.getStddev()).isCloseTo(Math.sqrt(32.0 / 7), within(1e-12));
        assertThat(s.getMin()).isEqualTo(2.0);
        assertThat(s.getMax()).isEqualTo(9.0);
        assertThat(s.getP50()).isEqualTo(4.5);
        assertThat(s.getP95()).isCloseTo(7 + 0.65 * 2, within(1e-12)); // numpy: index 6.65
    }

    @Test
    void categoricalKeepsTopCategoriesTiesByNameAndAnOtherFraction() {
        String[] values = {"b", "b", "a", "a", "c", "c", "d", "e", "e", "e"};

        FeatureBaseline f = builder(10, 3).categorical(new CategoricalColumn("country", values, 5));

        assertThat(f.getCategories()).containsExactly("e", "a", "b");
        assertThat(f.getCategoryFractions()).containsExactly(0.3, 0.2, 0.2, 0.3);
        assertThat(f.getCount()).isEqualTo(10);
        assertThat(f.getMissingFraction()).isEqualTo(5.0 / 15);
        assertThat(f.getKsSupport()).isEqualTo(KsSupport.UNAVAILABLE);
        assertThat(f.getStats()).isNull();
        assertThat(new Baseline(f).categoryCell("d")).isEqualTo(3); // 'other'
    }

    @Test
    void columnWithoutValuesIsAnInputErrorNamingIt() {
        Table t = table(new NumericColumn("empty", new double[0], 12));

        assertThatThrownBy(() -> builder(10, 50).buildAll(t))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("train.csv").hasMessageContaining("column 'empty'").hasMessageContaining("no values");
    }

    @Test
    void sampleSeedIsStablePerFeature() {
        assertThat(BaselineBuilder.sampleSeed("m", "1", "f")).isEqualTo(BaselineBuilder.sampleSeed("m", "1", "f"));
        assertThat(BaselineBuilder.sampleSeed("m", "1", "f")).isNotEqualTo(BaselineBuilder.sampleSeed("m", "2", "f"));
    }
}
