package dev.driftwatch.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * The reservoir is Flink state: it must go through Flink's PojoSerializer (never Kryo) and come back with all of its
 * state, so a restored reservoir samples exactly as the original would have.
 */
class ReservoirSerializationTest {

    @Test
    void isSerializedAsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Reservoir.class);
    }

    @Test
    void aRestoredReservoirContinuesExactlyAsTheOriginal() throws Exception {
        Reservoir original = new Reservoir(64, 99);
        for (int i = 0; i < 5000; i++) {
            original.add(i);
        }
        TypeSerializer<Reservoir> serializer =
                TypeInformation.of(Reservoir.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(original, out);
        Reservoir restored = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        for (int i = 5000; i < 20_000; i++) {
            original.add(i);
            restored.add(i);
        }
        assertThat(restored.seen()).isEqualTo(original.seen());
        assertThat(restored.values()).containsExactly(original.values());
    }

    @Test
    void anEmptyReservoirFromTheNoArgConstructorRoundTrips() throws Exception {
        TypeSerializer<Reservoir> serializer =
                TypeInformation.of(Reservoir.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(new Reservoir(), out);
        Reservoir restored = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(restored.size()).isZero();
        assertThat(restored.values()).isEmpty();
    }

    @Test
    void offeredValuesKeepExactlyTheKSmallestKeysEvenWhenSerializedWithCandidatesPending() throws Exception {
        java.util.Random random = new java.util.Random(12);
        TypeSerializer<Reservoir> serializer =
                TypeInformation.of(Reservoir.class).createSerializer(new SerializerConfigImpl());
        for (int trial = 0; trial < 30; trial++) {
            int k = 1 + random.nextInt(300);
            int n = random.nextInt(20_000);
            Reservoir r = new Reservoir(k, trial);
            java.util.TreeMap<Double, Double> byKey = new java.util.TreeMap<>();
            for (int i = 0; i < n; i++) {
                double key = random.nextDouble();
                double value = random.nextGaussian();
                byKey.put(key, value);
                r.offer(value, key);
                if (i == n / 2) {
                    // a checkpoint half-way, with offers possibly buffered: the copy must go on identically
                    DataOutputSerializer out = new DataOutputSerializer(1024);
                    serializer.serialize(r, out);
                    r = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
                }
            }
            double[] expected = byKey.values().stream().limit(k).mapToDouble(Double::doubleValue).sorted().toArray();
            assertThat(r.sortedValues()).as("k=%d n=%d", k, n).containsExactly(expected);
            assertThat(r.size()).isEqualTo(Math.min(k, n));
            assertThat(r.seen()).isEqualTo(n);
            if (n > k) {
                assertThat(r.largestKey()).isEqualTo(byKey.keySet().stream().skip(k - 1).findFirst().orElseThrow());
            }
        }
    }

    @Test
    void keysThatAreNotSpreadEvenlyStillKeepExactlyTheKSmallest() {
        // the selection guesses pivots from an even spread of keys; bunched, stepped and repeated keys only slow it
        java.util.Random random = new java.util.Random(21);
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + random.nextInt(500);
            int n = random.nextInt(30_000);
            int shape = trial % 4;
            Reservoir r = new Reservoir(k, trial);
            java.util.List<double[]> offered = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                double u = random.nextDouble();
                double key = switch (shape) {
                    case 0 -> u * u * u * u * 1e-6;             // bunched near zero
                    case 1 -> Math.floor(u * 7) / 7;             // seven distinct keys
                    case 2 -> i % 3 == 0 ? 0.999 : u * 1e-3;     // a far cluster and a near one
                    default -> 1 - 1e-9 * u;                      // bunched near one
                };
                double value = i;
                offered.add(new double[] {key, value});
                r.offer(value, key);
            }
            offered.sort((x, y) -> Double.compare(x[0], y[0]));
            double kth = offered.isEmpty() ? 0 : offered.get(Math.min(k, n) - 1)[0];
            long below = offered.stream().filter(e -> e[0] < kth).count();
            double[] held = r.values();
            assertThat(held).as("shape %d k=%d n=%d", shape, k, n).hasSize(Math.min(k, n));
            // every held value has a key at or below the k-th smallest, and every key below it is held
            java.util.Set<Double> heldValues = new java.util.HashSet<>();
            for (double v : held) {
                heldValues.add(v);
            }
            assertThat(offered.stream().filter(e -> e[0] < kth).allMatch(e -> heldValues.contains(e[1])))
                    .as("every key below the k-th is held (shape %d)", shape).isTrue();
            assertThat(offered.stream().filter(e -> heldValues.contains(e[1])).allMatch(e -> e[0] <= kth))
                    .as("nothing above the k-th is held (shape %d)", shape).isTrue();
            assertThat(below).isLessThanOrEqualTo(held.length);
        }
    }
}
