package dev.driftwatch.scoring;

/** A scoring artifact that does not match its config; the message is one line naming both. */
public final class InvalidModelArtifactException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidModelArtifactException(String message) {
        super(message);
    }
}
