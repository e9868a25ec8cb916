package dev.driftwatch.profile;

import dev.driftwatch.baseline.Baseline;
import dev.driftwatch.testing.Baselines;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class StoredPanesTest {
    static final long SLIDE = 60_000;

    static Baseline baseline(String version) {
        List<Double> sample = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sample.add(-1 + 2 * (i + 0.5) / 200);
        }
        return new Baseline(Baselines.numeric("m", version, "x", List.of(0.0), List.of(0.5, 0.5), sample));
    }

    static final Baseline V1 = baseline("v1");
    static final Baseline V2 = baseline("v2");

    /** Two profiles of the same n random values and keys: one to store, one to keep whole. */
    static FeatureProfile[] profiles(Baseline b, Random random, int k, long index, int n) {
        FeatureProfile p = FeatureProfile.empty(b, k, index);
        FeatureProfile copy = FeatureProfile.empty(b, k, index);
        for (int i = 0; i < n; i++) {
            double value = random.nextGaussian();
            double key = random.nextDouble();
            p.add(value, key);
            copy.add(value, key);
        }
        if (n > 0 && random.nextInt(10) == 0) {
            p.addMissing();
            copy.addMissing();
        }
        return new FeatureProfile[] {p, copy};
    }

    static PaneProfile pane(FeatureProfile p, long index) {
        return p.toPane("m", "v1", index * SLIDE, (index + 1) * SLIDE);
    }

    @Test
    void cutPanesGiveEveryLaterWindowExactlyTheCountsAndSampleOfTheFullPanes() {
        int k = 100;
        int panesPerWindow = 6;
        Random random = new Random(11);
        StoredPanes stored = new StoredPanes();
        List<PaneProfile> full = new ArrayList<>();
        long storedValues = 0;
        for (int index = 0; index < 80; index++) {
            // quiet, busy and empty panes, so a window's sample is sometimes dominated by one pane
            int n = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(50);
                case 2 -> 200 + random.nextInt(300);
                default -> 3000;
            };
            FeatureProfile[] p = profiles(V1, random, k, index, n);
            stored.add(pane(p[0], index));
            full.add(pane(p[1], index));
            // the window ending with this pane starts panesPerWindow - 1 panes earlier (before 0 at first)
            int from = index - panesPerWindow + 1;
            FeatureProfile window = FeatureProfile.empty(V1, k, 0);
            stored.mergeWindow(window, from * SLIDE, (index + 1) * SLIDE, k);
            FeatureProfile expected = FeatureProfile.empty(V1, k, 0);
            for (PaneProfile f : full.subList(Math.max(0, from), index + 1)) {
                expected.merge(f);
            }
            assertThat(window.count()).as("window ending with pane %d", index).isEqualTo(expected.count());
            assertThat(window.missing()).isEqualTo(expected.missing());
            assertThat(window.cells()).containsExactly(expected.cells());
            assertThat(window.sample().sortedValues()).as("window ending with pane %d", index)
                    .containsExactly(expected.sample().sortedValues());
            // the next window starts a slide later
            stored.dropBefore((from + 1) * SLIDE);
            storedValues = 0;
            for (int i = 0; i < stored.size(); i++) {
                storedValues += stored.sampleSize(i);
            }
            assertThat(stored.size()).isLessThanOrEqualTo(panesPerWindow - 1);
        }
        // the five panes the next window shares hold far fewer than five full samples
        assertThat(storedValues).isLessThan(3L * k);
    }

    @Test
    void panesOfEqualSizeKeepAboutKTimesTheHarmonicNumberOfTheWindow() {
        int k = 200;
        int panesPerWindow = 12;
        Random random = new Random(5);
        StoredPanes stored = new StoredPanes();
        long held = 0;
        for (int index = 0; index < 40; index++) {
            stored.add(pane(profiles(V1, random, k, index, 5000)[0], index));
            int from = index - panesPerWindow + 1;
            stored.mergeWindow(FeatureProfile.empty(V1, k, 0), from * SLIDE, (index + 1) * SLIDE, k);
            held = 0;
            for (int i = 0; i < stored.size(); i++) {
                held += stored.sampleSize(i);
            }
            stored.dropBefore((from + 1) * SLIDE);
        }
        // H(12) = 3.10: about 620 values (cuts at positions 1, 2, 4, 8 keep some more) instead of 12 x 200 = 2400
        assertThat(held).isBetween(450L, 900L);
    }

    @Test
    void aPartOfAPaneThatArrivesAfterItsWindowIsMergedIntoItExactlyEvenOnceCut() {
        // an idle reader's part of pane 2 comes after windows have cut pane 2: later windows see the whole pane
        int k = 50;
        Random random = new Random(17);
        StoredPanes stored = new StoredPanes();
        List<FeatureProfile> full = new ArrayList<>();
        FeatureProfile[] late = null;
        for (int index = 0; index < 6; index++) {
            FeatureProfile[] p = profiles(V1, random, k, index, 400);
            stored.add(pane(p[0], index));
            full.add(p[1]);
            if (index == 2) {
                late = profiles(V1, random, k, 1000 + index, 300);
                full.get(2).merge(late[1]);
            }
            stored.mergeWindow(FeatureProfile.empty(V1, k, 0), 0, (index + 1) * SLIDE, k);
        }
        assertThat(stored.sampleSize(2)).as("pane 2 was cut").isLessThan(k);
        stored.add(pane(late[0], 2));
        FeatureProfile window = FeatureProfile.empty(V1, k, 0);
        stored.mergeWindow(window, 0, 6 * SLIDE, k);
        FeatureProfile expected = FeatureProfile.empty(V1, k, 0);
        full.forEach(expected::merge);
        assertThat(window.count()).isEqualTo(6 * 400 + 300);
        assertThat(window.cells()).containsExactly(expected.cells());
        assertThat(window.sample().sortedValues()).containsExactly(expected.sample().sortedValues());
    }

    @Test
    void aWindowCountsOnlyThePanesOfItsBaselineAndAReplacedBaselineLeavesWithItsLastPane() {
        int k = 50;
        Random random = new Random(23);
        StoredPanes stored = new StoredPanes();
        FeatureProfile expected = FeatureProfile.empty(V2, k, 0);
        for (int index = 0; index < 4; index++) {
            Baseline b = index < 2 ? V1 : V2;
            FeatureProfile[] p = profiles(b, random, k, index, 200);
            stored.add(pane(p[0], index));
            if (b == V2) {
                expected.merge(pane(p[1], index));
            }
        }
        assertThat(stored.baselines).containsExactly(V1.fingerprint(), V2.fingerprint());
        FeatureProfile window = FeatureProfile.empty(V2, k, 0);
        stored.mergeWindow(window, 0, 4 * SLIDE, k);
        assertThat(window.count()).isEqualTo(400);
        assertThat(window.sample().sortedValues()).containsExactly(expected.sample().sortedValues());
        assertThat(stored.baselineOf(0)).isEqualTo(V1.fingerprint());
        stored.dropBefore(2 * SLIDE);
        assertThat(stored.baselines).containsExactly(V2.fingerprint());
        assertThat(stored.baselineVersions).containsExactly("v2");
        assertThat(stored.baselineOf(0)).isEqualTo(V2.fingerprint());
        assertThat(stored.size()).isEqualTo(2);
    }

    @Test
    void roundTripsThroughItsPojoSerializerWithCutSamplesAndAnEmptyPane() throws Exception {
        int k = 40;
        Random random = new Random(29);
        StoredPanes stored = new StoredPanes();
        for (int index = 0; index < 5; index++) {
            stored.add(pane(profiles(V1, random, k, index, index == 3 ? 0 : 300)[0], index));
            stored.mergeWindow(FeatureProfile.empty(V1, k, 0), 0, (index + 1) * SLIDE, k);
        }
        TypeSerializer<StoredPanes> s = TypeInformation.of(StoredPanes.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        s.serialize(stored, out);
        StoredPanes back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.size()).isEqualTo(5);
        assertThat(back.starts).containsExactly(stored.starts);
        assertThat(back.cells).containsExactly(stored.cells);
        for (int i = 0; i < 5; i++) {
            assertThat(back.keys[i]).as("pane %d", i).containsExactly(stored.keys[i]);
            assertThat(back.values[i]).as("pane %d", i).containsExactly(stored.values[i]);
        }
        FeatureProfile a = FeatureProfile.empty(V1, k, 0);
        FeatureProfile b = FeatureProfile.empty(V1, k, 0);
        stored.mergeWindow(a, 0, 5 * SLIDE, k);
        back.mergeWindow(b, 0, 5 * SLIDE, k);
        assertThat(b.count()).isEqualTo(a.count());
        assertThat(b.sample().sortedValues()).containsExactly(a.sample().sortedValues());
    }
}
