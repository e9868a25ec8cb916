package dev.driftwatch.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Feast's registry could not give baselines: unreachable, an HTTP error, a body that is not the documented JSON, or
 * no baseline for the feature view. The message is one line naming the URL and what went wrong (never credentials).
 */
public final class FeastImportException extends UncheckedIOException {
    public FeastImportException(String message) {
        super(new IOException(message));
    }

    public FeastImportException(String message, Throwable cause) {
        super(new IOException(message, cause));
    }

    @Override
    public String getMessage() {
        return getCause().getMessage();
    }
}
