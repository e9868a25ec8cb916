package dev.driftwatch.alert.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0, Duration.ofHours(1));

    @Test
    void ceilingDoublesPerAttemptUpToTheMaximum() {
        assertThat(policy.cappedBackoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.cappedBackoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.cappedBackoff(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(policy.cappedBackoff(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.cappedBackoff(1000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRange() {
        Random random = new Random(42);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long d = policy.nextDelay(4, 0, 0, null, random::nextDouble).orElseThrow().toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isBetween(0L, 200L);
        assertThat(max).isBetween(7_800L, 8_000L);
    }

    @Test
    void retryAfterIsHonoured() {
        assertThat(policy.nextDelay(1, 0, 0, Duration.ofSeconds(30), () -> 0.0)).hasValue(Duration.ofSeconds(30));
    }

    @Test
    void givesUpAtMaxAttemptsOrMaxAge() {
        RetryPolicy limited = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 3, Duration.ofMinutes(10));
        assertThat(limited.nextDelay(2, 0, 0, null, () -> 0.5)).isPresent();
        assertThat(limited.nextDelay(3, 0, 0, null, () -> 0.5)).isEmpty();
        long nineMinutes = Duration.ofMinutes(9).toMillis();
        assertThat(limited.nextDelay(1, 0, nineMinutes, Duration.ofSeconds(30), () -> 0.5)).isPresent();
        assertThat(limited.nextDelay(1, 0, nineMinutes, Duration.ofMinutes(2), () -> 0.5)).isEmpty();
    }

    @Test
    void parsesRetryAfterSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(RetryPolicy.parseRetryAfter("120", now)).hasValue(Duration.ofSeconds(120));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now)).hasValue(Duration.ofSeconds(30));
        assertThat(RetryPolicy.parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now)).hasValue(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter(null, now)).isEmpty();
    }
}
