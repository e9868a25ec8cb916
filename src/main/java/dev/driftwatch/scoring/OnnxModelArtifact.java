package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ONNX model file checked against its {@link ScoringModelConfig} before any event is scored: the
 * bytes' sha256 first, then (once ONNX Runtime has loaded exactly those bytes) the input and output
 * names, shapes and element types. Every mismatch is a one-line {@link InvalidModelArtifactException}
 * that names the artifact and what differs, so a wrong file fails the job at start, not mid-stream.
 */
public final class OnnxModelArtifact {

    private final Path path;
    private final String sha256;
    // Dropped once a session is created from it: a large model should not stay in the heap twice.
    private byte[] bytes;

    private OnnxModelArtifact(Path path, byte[] bytes, String sha256) {
        this.path = path;
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    /**
     * Reads the file and checks its sha256; the returned bytes are the ones that get loaded, so the
     * file cannot change between the check and the load.
     */
    public static OnnxModelArtifact read(Path path, String expectedSha256) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new InvalidModelArtifactException(
                    "scoring artifact " + path + ": cannot read it (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + ")");
        }
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new InvalidModelArtifactException("scoring artifact " + path + ": sha256 is " + actual
                    + " but the config expects " + expectedSha256 + " (wrong file or wrong version)");
        }
        return new OnnxModelArtifact(path, bytes, actual);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    public Path path() {
        return path;
    }

    public String sha256() {
        return sha256;
    }

    byte[] bytes() {
        if (bytes == null) {
            throw new IllegalStateException("scoring artifact " + path + ": bytes already loaded and dropped");
        }
        return bytes;
    }

    void dropBytes() {
        bytes = null;
    }

    /**
     * Checks a session created from this artifact against the config and returns how to feed it.
     *
     * @throws InvalidModelArtifactException naming the artifact and the first thing that differs
     */
    public ModelSignature verify(OrtSession session, ScoringModelConfig config) {
        try {
            return verifyOrThrow(session, config);
        } catch (OrtException e) {
            throw new InvalidModelArtifactException(
                    "scoring artifact " + path + ": ONNX Runtime cannot describe it (" + e.getMessage() + ")");
        }
    }

    private ModelSignature verifyOrThrow(OrtSession session, ScoringModelConfig config) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        String inputName = config.inputName();
        if (inputName == null) {
            if (inputs.size() != 1) {
                fail("has inputs " + inputs.keySet() + "; set input-name to the one that takes the features");
            }
            inputName = inputs.keySet().iterator().next();
        } else if (!inputs.containsKey(inputName)) {
            fail("has no input '" + inputName + "' (config input-name); its inputs are " + inputs.keySet());
        }
        if (inputs.size() != 1) {
            fail("has " + inputs.size() + " inputs " + inputs.keySet() + "; replay scoring feeds exactly one");
        }
        TensorInfo in = tensor(inputs.get(inputName), "input");
        if (in.type != OnnxJavaType.FLOAT) {
            fail("input '" + inputName + "' has element type " + in.type + ", expected FLOAT");
        }
        long[] inShape = in.getShape();
        if (inShape.length != 2) {
            fail("input '" + inputName + "' has shape " + Arrays.toString(inShape) + ", expected [batch, features]");
        }

        List<String> featureOrder = config.featureOrder();
        if (featureOrder == null) {
            Optional<String> fromMetadata = session.getMetadata()
                    .getCustomMetadataValue(ScoringModelConfig.FEATURE_ORDER_METADATA_KEY);
            if (fromMetadata.isEmpty() || fromMetadata.get().isBlank()) {
                fail("config gives no feature-order and the model has no "
                        + ScoringModelConfig.FEATURE_ORDER_METADATA_KEY + " metadata");
            }
            featureOrder = Arrays.stream(fromMetadata.get().split(",")).map(String::trim).toList();
        }
        if (inShape[1] >= 0 && inShape[1] != featureOrder.size()) {
            fail("input '" + inputName + "' takes " + inShape[1] + " features but the feature order has "
                    + featureOrder.size() + " " + featureOrder);
        }
        if (inShape[0] > 0 && inShape[0] != 1) {
            fail("input '" + inputName + "' has a fixed batch dimension " + inShape[0] + "; export it with a dynamic one");
        }

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String outputName = config.outputName();
        if (!outputs.containsKey(outputName)) {
            fail("has no output '" + outputName + "' (config output-name); its outputs are " + outputs.keySet());
        }
        TensorInfo out = tensor(outputs.get(outputName), "output");
        if (out.type != OnnxJavaType.FLOAT) {
            fail("output '" + outputName + "' has element type " + out.type + ", expected FLOAT (a score)");
        }
        long[] outShape = out.getShape();
        int width;
        if (outShape.length == 1) {
            width = 1;
        } else if (outShape.length == 2 && outShape[1] > 0) {
            width = (int) outShape[1];
        } else {
            fail("output '" + outputName + "' has shape " + Arrays.toString(outShape)
                    + ", expected [batch] or [batch, k] with a fixed k");
            return null;
        }
        int column = config.outputColumn() == null ? width - 1 : config.outputColumn();
        if (column >= width) {
            fail("output '" + outputName + "' has " + width + " columns but output_column is " + column);
        }
        return new ModelSignature(inputName, featureOrder, outputName, width, column);
    }

    private TensorInfo tensor(NodeInfo node, String what) {
        if (!(node.getInfo() instanceof TensorInfo info)) {
            fail(what + " '" + node.getName() + "' is " + node.getInfo() + ", expected a tensor");
            return null;
        }
        return info;
    }

    private void fail(String whatDiffers) {
        throw new InvalidModelArtifactException("scoring artifact " + path + ": " + whatDiffers);
    }

    /**
     * How to feed a verified model: its input name, the feature of every input column, and where
     * the score sits in its output.
     */
    public record ModelSignature(
            String inputName, List<String> featureOrder, String outputName, int outputWidth, int outputColumn) {

        public int featureCount() {
            return featureOrder.size();
        }
    }
}
