package dev.driftwatch.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The parts of Flink's REST API an operator uses to run driftwatch: jar upload and run, job and checkpoint status,
 * stop-with-savepoint and cancel (the web UI and {@code flink} CLI call the same endpoints).
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String base) {
        this.base = base;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    /** POST /jars/upload as the web UI sends it (multipart, field {@code jarfile}); returns the jar's id. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "driftwatch-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode r = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String stored = r.path("filename").asText();
        return stored.substring(stored.lastIndexOf('/') + 1);
    }

    /** POST /jars/:id/run; parallelism and savepoint may be null (then the request does not say them). */
    public String runJar(String jarId, String entryClass, List<String> args, Integer parallelism, String savepoint)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        body.putPOJO("programArgsList", args);
        if (parallelism != null) {
            body.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
        }
        return post("/jars/" + jarId + "/run", body).path("jobid").asText();
    }

    public JsonNode job(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId);
    }

    public JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** Completed checkpoints of a job so far. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** Stop-with-savepoint without draining (the README's `flink stop`); returns the savepoint's location. */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration max) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        JsonNode done = await(() -> get("/jobs/" + jobId + "/savepoints/" + trigger),
                s -> s.path("status").path("id").asText().equals("COMPLETED"), max);
        JsonNode op = done.path("operation");
        if (op.has("failure-cause")) {
            throw new IOException("stop-with-savepoint of " + jobId + " failed: " + op.path("failure-cause"));
        }
        return op.path("location").asText();
    }

    public void cancel(String jobId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /** The job once it and every one of its tasks are RUNNING. */
    public JsonNode awaitRunning(String jobId, Duration max) throws Exception {
        return await(() -> job(jobId), FlinkRest::allRunning, max);
    }

    static boolean allRunning(JsonNode job) {
        if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (!v.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    /** Parallelism of each of a job's vertices. */
    public static List<Integer> parallelisms(JsonNode job) {
        return java.util.stream.StreamSupport.stream(job.path("vertices").spliterator(), false)
                .map(v -> v.path("parallelism").asInt()).toList();
    }

    public interface Call {
        JsonNode call() throws Exception;
    }

    /** Polls until the answer satisfies the condition; returns the last answer either way (callers check it). */
    public static JsonNode await(Call call, Predicate<JsonNode> until, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        JsonNode last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = call.call();
                lastError = null;
                if (until.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                lastError = e;   // not up yet, or restarting
            }
            Thread.sleep(250);
        }
        if (last == null && lastError != null) {
            throw lastError;
        }
        return last;
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException(r.request().method() + " " + r.request().uri() + ": HTTP " + r.statusCode()
                    + " " + r.body());
        }
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
