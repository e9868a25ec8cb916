package dev.driftwatch.cli;

/** Exit codes of every driftwatch command: a public contract, documented in README.md (Command line). */
public final class ExitCodes {
    /** Ran to the end (no dataset drift, or drift without --fail-on-drift). */
    public static final int OK = 0;
    /** compare --fail-on-drift found dataset drift. */
    public static final int DRIFT = 1;
    /** Bad input or usage: missing or unreadable file, bad CSV, different columns, unknown flag. */
    public static final int BAD_INPUT = 2;
    /** A bug or an environment failure driftwatch did not expect; a stack trace follows on stderr. */
    public static final int INTERNAL_ERROR = 3;

    private ExitCodes() {}
}
