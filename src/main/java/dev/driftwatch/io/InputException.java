package dev.driftwatch.io;

import java.nio.file.Path;

/**
 * Bad input a user can fix: a missing or unreadable file, a CSV without a header, a ragged row, a column that
 * cannot be used. The message is one line that names the file and, where there is one, the column; the CLI
 * prints it as it is.
 */
public class InputException extends IllegalArgumentException {
    private final Path file;
    private final String column;

    public InputException(Path file, String column, String problem) {
        super(format(file, column, problem));
        this.file = file;
        this.column = column;
    }

    public InputException(Path file, String problem) {
        this(file, null, problem);
    }

    public InputException(Path file, String problem, Throwable cause) {
        super(format(file, null, problem), cause);
        this.file = file;
        this.column = null;
    }

    private static String format(Path file, String column, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (column != null) {
            sb.append("column '").append(column).append("': ");
        }
        return sb.append(problem).toString();
    }

    /** The input file at fault, or null when the problem is not tied to one file. */
    public Path file() {
        return file;
    }

    /** The column at fault, or null when the problem concerns the whole file. */
    public String column() {
        return column;
    }
}
