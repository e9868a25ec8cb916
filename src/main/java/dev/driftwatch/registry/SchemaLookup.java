package dev.driftwatch.registry;

import org.apache.avro.Schema;

/** Finds the Avro writer schema of a Schema Registry id. */
@FunctionalInterface
public interface SchemaLookup {
    /**
     * The schema registered under {@code id}.
     *
     * @throws SchemaRegistryException when the registry does not know it, it is not Avro, or the registry cannot
     *     be asked
     */
    Schema schemaById(int id) throws SchemaRegistryException;
}
