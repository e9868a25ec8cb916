package dev.driftwatch.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the scipy-generated reference vectors under src/test/resources. */
final class ReferenceVectors {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReferenceVectors() {}

    static JsonNode read(String resource) {
        try (InputStream in = ReferenceVectors.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + resource + " is missing");
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    /** |actual - expected| <= absolute, or within the relative tolerance of expected. */
    static boolean close(double actual, double expected, double absolute, double relative) {
        if (actual == expected) {
            return true;
        }
        double diff = Math.abs(actual - expected);
        return diff <= absolute || diff <= relative * Math.abs(expected);
    }
}
