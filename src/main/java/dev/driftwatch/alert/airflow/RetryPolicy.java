package dev.driftwatch.alert.airflow;

import dev.driftwatch.config.AirflowTriggerConfig;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed Airflow request again, and when to give up and dead-letter it. Exponential backoff
 * with full jitter (a uniform delay in [0, min(max, initial * 2^(attempt-1))], so that many triggers that
 * failed together do not come back together), a server's Retry-After honoured as the delay, and two limits:
 * a number of attempts (0 = no limit) and an age measured from when the trigger was first accepted.
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration maxAge)
        implements Serializable {

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxAge, "maxAge");
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0 (0 = no limit)");
        }
    }

    /** The policy of the config's {@code airflow.retry} section. */
    public static RetryPolicy of(AirflowTriggerConfig.Retry retry) {
        return new RetryPolicy(retry.initialBackoff(), retry.maxBackoff(), retry.maxAttempts(), retry.maxAge());
    }

    /**
     * The delay before the next attempt, or empty when the trigger must be given up.
     *
     * @param attemptsMade attempts already made, at least 1
     * @param firstAcceptedAtMillis when the trigger was first accepted (epoch millis); its age counts from here
     * @param nowMillis the current time (epoch millis)
     * @param retryAfter the server's Retry-After, or null
     * @param uniform a source of uniform values in [0, 1)
     */
    public Optional<Duration> nextDelay(int attemptsMade, long firstAcceptedAtMillis, long nowMillis,
                                        Duration retryAfter, DoubleSupplier uniform) {
        if (maxAttempts > 0 && attemptsMade >= maxAttempts) {
            return Optional.empty();
        }
        Duration delay = retryAfter != null && !retryAfter.isNegative()
                ? retryAfter
                : jitteredBackoff(attemptsMade, uniform.getAsDouble());
        long retryAt = nowMillis + delay.toMillis();
        if (retryAt - firstAcceptedAtMillis > maxAge.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(delay);
    }

    /** Full jitter: u * min(maxBackoff, initialBackoff * 2^(attempt-1)), u uniform in [0, 1). */
    public Duration jitteredBackoff(int attempt, double u) {
        return Duration.ofMillis(Math.round(u * cappedBackoff(attempt).toMillis()));
    }

    /** The backoff ceiling of the given attempt (1-based) before jitter: initial * 2^(attempt-1), capped. */
    public Duration cappedBackoff(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 40));
        long initial = initialBackoff.toMillis();
        long max = maxBackoff.toMillis();
        long ceiling = initial > (max >> doublings) ? max : Math.min(max, initial << doublings);
        return Duration.ofMillis(ceiling);
    }

    /**
     * Reads an HTTP Retry-After value: delay-seconds or an HTTP-date (RFC 9110). A date in the past means
     * "now"; anything unreadable is ignored (the backoff applies).
     */
    public static Optional<Duration> parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(now, at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }
}
