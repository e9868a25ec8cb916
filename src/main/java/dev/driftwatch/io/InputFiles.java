package dev.driftwatch.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What every input file is checked for before it is opened: it exists, it is a regular file and it can be read.
 * A named pipe or a device passes {@link Files#isReadable} but would block the reader forever (a FIFO with no
 * writer) or never end ({@code /dev/zero}); the readers also read a file more than once (hash, then columns), which
 * a stream cannot give. So anything but a regular file is refused up front, by name.
 */
public final class InputFiles {
    // st_mode file types (POSIX), to name what a non-regular file is
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private InputFiles() {}

    /**
     * Throws an {@link InputException} naming the file unless it is a readable regular file (links followed);
     * {@code expected} says what it should be, for the message about a directory ("a CSV, Avro or Parquet file").
     */
    public static void checkRegularFile(Path file, String expected) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new InputException(file, "file does not exist");
        } catch (AccessDeniedException e) {
            throw new InputException(file, "is not readable: permission denied on the file or a directory above it");
        } catch (IOException e) {
            throw new InputException(file, "cannot read: " + e.getMessage(), e);
        }
        if (attributes.isDirectory()) {
            throw new InputException(file, "is a directory, expected " + expected);
        }
        if (!attributes.isRegularFile()) {
            throw new InputException(file, "is " + kindOf(file) + ", not a regular file; write the data to a file and give that");
        }
        if (!Files.isReadable(file)) {
            throw new InputException(file, "is not readable: permission denied (check the file's owner and mode)");
        }
    }

    /** "a named pipe (FIFO)", "a character device", ...: what a file that is neither regular nor a directory is. */
    private static String kindOf(Path file) {
        int type;
        try {
            // the "unix" view is not in every JDK; where it is missing the message stays general
            type = (Integer) Files.getAttribute(file, "unix:mode") & S_IFMT;
        } catch (IOException | RuntimeException e) {
            return "a named pipe, device or socket";
        }
        return switch (type) {
            case S_IFIFO -> "a named pipe (FIFO)";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFSOCK -> "a socket";
            default -> "a special file";
        };
    }
}
