package dev.driftwatch.alert.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON request body against an OpenAPI 3.0/3.1 schema, for the subset Airflow's trigger schemas use:
 * $ref, allOf, anyOf, type (including 'null'), nullable, enum, format date-time, properties, required,
 * additionalProperties and readOnly (a read-only field must not be sent). Test code: the fake Airflow server
 * validates every body with it, so the sink is held to the published contract.
 */
final class OpenApiSchemaValidator {
    private final Map<String, Object> componentSchemas;

    /** @param componentSchemas {@code components.schemas} of the spec, for {@code $ref} */
    OpenApiSchemaValidator(Map<String, Object> componentSchemas) {
        this.componentSchemas = componentSchemas;
    }

    /** All violations, each as "path: problem"; empty when the value is valid. */
    List<String> validate(JsonNode value, Map<String, Object> schema) {
        List<String> errors = new ArrayList<>();
        check(value, schema, "body", errors, true);
        return errors;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Map<String, Object> schema) {
        Object ref = schema.get("$ref");
        if (ref == null) {
            return schema;
        }
        String name = String.valueOf(ref).substring("#/components/schemas/".length());
        Map<String, Object> target = (Map<String, Object>) componentSchemas.get(name);
        if (target == null) {
            throw new IllegalStateException("unresolvable $ref " + ref);
        }
        return resolve(target);
    }

    @SuppressWarnings("unchecked")
    private void check(JsonNode value, Map<String, Object> rawSchema, String path, List<String> errors, boolean request) {
        Map<String, Object> schema = resolve(rawSchema);
        if (schema.containsKey("allOf")) {
            for (Object part : (List<Object>) schema.get("allOf")) {
                check(value, (Map<String, Object>) part, path, errors, request);
            }
        }
        if (schema.containsKey("anyOf")) {
            List<String> firstErrors = null;
            boolean matched = false;
            for (Object part : (List<Object>) schema.get("anyOf")) {
                List<String> partErrors = new ArrayList<>();
                check(value, (Map<String, Object>) part, path, partErrors, request);
                if (partErrors.isEmpty()) {
                    matched = true;
                    break;
                }
                if (firstErrors == null) {
                    firstErrors = partErrors;
                }
            }
            if (!matched) {
                errors.add(path + ": matches none of anyOf (" + firstErrors + ")");
                return;
            }
        }
        if (value.isNull()) {
            Object type = schema.get("type");
            boolean nullable = Boolean.TRUE.equals(schema.get("nullable")) || "null".equals(type) || type == null;
            if (!nullable) {
                errors.add(path + ": must not be null");
            }
            return;
        }
        Object type = schema.get("type");
        if (type != null && !hasType(value, String.valueOf(type))) {
            errors.add(path + ": expected " + type + ", got " + value.getNodeType());
            return;
        }
        if (schema.containsKey("enum")) {
            List<Object> allowed = (List<Object>) schema.get("enum");
            if (!allowed.contains(value.isTextual() ? value.asText() : value.numberValue())) {
                errors.add(path + ": '" + value.asText() + "' is not one of " + allowed);
            }
        }
        if ("date-time".equals(schema.get("format")) && value.isTextual()) {
            try {
                OffsetDateTime.parse(value.asText());
            } catch (DateTimeParseException e) {
                errors.add(path + ": '" + value.asText() + "' is not an RFC 3339 date-time");
            }
        }
        if (value.isObject()) {
            Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
            for (Object required : (List<Object>) schema.getOrDefault("required", List.of())) {
                if (!value.has(String.valueOf(required))) {
                    errors.add(path + "." + required + ": required");
                }
            }
            Object additional = schema.get("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path + "." + field.getKey();
                Map<String, Object> propertySchema = (Map<String, Object>) properties.get(field.getKey());
                if (propertySchema != null) {
                    if (request && Boolean.TRUE.equals(resolve(propertySchema).get("readOnly"))) {
                        errors.add(fieldPath + ": read-only, must not be sent");
                        continue;
                    }
                    check(field.getValue(), propertySchema, fieldPath, errors, request);
                } else if (Boolean.FALSE.equals(additional)) {
                    errors.add(fieldPath + ": extra field not permitted");
                } else if (additional instanceof Map<?, ?> additionalSchema) {
                    check(field.getValue(), (Map<String, Object>) additionalSchema, fieldPath, errors, request);
                }
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "null" -> value.isNull();
            default -> throw new IllegalStateException("unsupported schema type " + type);
        };
    }
}
