package dev.driftwatch.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** `driftwatch bench` refuses settings it cannot measure, before starting a broker, with one line naming the flag. */
class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aParallelismAboveThePartitionCountIsABadFlag() {
        assertThat(run("bench", "--parallelism", "1,3")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains("--parallelism").contains("2 partitions");
        assertThat(out.toString()).doesNotContain("loading");
    }

    @Test
    void aZeroRatioIsABadFlag() {
        assertThat(run("bench", "--ratios", "0")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains("--ratios");
    }

    @Test
    void helpListsTheQualityMode() {
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("--quality", "--events", "--skip-naive");
    }
}
