package dev.driftwatch.alert.airflow;

import dev.driftwatch.avro.DeadLetter;
import java.io.Serializable;

/**
 * Where the Airflow sink sends the triggers it gave up on. Serializable so it travels in the job graph; each
 * sink writer {@link #open}s its own {@link Channel} on the task manager.
 */
public interface DeadLetterPublisher extends Serializable {

    /** Opens a channel for one writer. */
    Channel open();

    /** An open connection to the dead-letter destination; used from several threads. */
    interface Channel extends AutoCloseable {
        /** Sends asynchronously; failures are reported by {@link #flush()}. */
        void publish(DeadLetter deadLetter);

        /** Blocks until everything published so far is durably stored; throws if any of it failed. */
        void flush() throws java.io.IOException;

        @Override
        void close();
    }
}
