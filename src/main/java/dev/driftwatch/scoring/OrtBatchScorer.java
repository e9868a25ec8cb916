package dev.driftwatch.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.scoring.OnnxModelArtifact.ModelSignature;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * Runs one micro-batch through a verified ONNX session: the rows become a [rows, features] float tensor, only the
 * score output is computed, and the configured column of it is the score. The input lives in a direct buffer that
 * ONNX Runtime reads in place, and a full batch runs on tensors made once, its output written into a pinned
 * tensor: a wrapped heap array would be copied into a fresh direct buffer, and a fresh output allocated, per call.
 * One per operator instance (the session is shared, the buffers are not); close it with the operator.
 */
public final class OrtBatchScorer implements MicroBatcher.BatchScorer, AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final ModelSignature signature;
    private final Set<String> requestedOutputs;
    private final int features;
    private final int width;
    private final boolean vectorOutput;
    private int capacity;
    private FloatBuffer input;
    private FloatBuffer output;
    private OnnxTensor fullInput;
    private OnnxTensor fullOutput;
    private Map<String, OnnxTensor> fullInputs;
    private Map<String, OnnxTensor> pinnedOutputs;

    public OrtBatchScorer(OrtSession session, ModelSignature signature) {
        this.session = session;
        this.signature = signature;
        this.requestedOutputs = Set.of(signature.outputName());
        this.features = signature.featureCount();
        this.width = signature.outputWidth();
        this.vectorOutput = outputRank(session, signature.outputName()) == 1;
    }

    private static int outputRank(OrtSession session, String output) {
        try {
            return ((ai.onnxruntime.TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape().length;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot read the output info of a verified session", e);
        }
    }

    @Override
    public void score(float[] rows, int rowCount, float[] scores) throws Exception {
        if (rowCount > capacity) {
            allocate(rowCount);
        }
        input.clear();
        input.put(rows, 0, rowCount * features);
        int column = signature.outputColumn();
        if (rowCount == capacity) {
            try (OrtSession.Result ignored = session.run(fullInputs, pinnedOutputs)) {
                for (int i = 0; i < rowCount; i++) {
                    scores[i] = output.get(i * width + column);
                }
            }
            return;
        }
        // a partial batch (timer, watermark or barrier flush): a tensor over the first rows of the same buffer
        try (OnnxTensor partial = OnnxTensor.createTensor(env, input.slice(0, rowCount * features), new long[] {rowCount, features});
                OrtSession.Result result = session.run(Map.of(signature.inputName(), partial), requestedOutputs)) {
            OnnxValue value = result.get(signature.outputName())
                    .orElseThrow(() -> new IllegalStateException("ONNX Runtime returned no " + signature.outputName()));
            FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
            for (int i = 0; i < rowCount; i++) {
                scores[i] = out.get(i * width + column);
            }
        }
    }

    private void allocate(int rows) throws OrtException {
        close();
        capacity = rows;
        input = ByteBuffer.allocateDirect(rows * features * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        output = ByteBuffer.allocateDirect(rows * width * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        fullInput = OnnxTensor.createTensor(env, input, new long[] {rows, features});
        fullOutput = OnnxTensor.createTensor(env, output, vectorOutput ? new long[] {rows} : new long[] {rows, width});
        fullInputs = Map.of(signature.inputName(), fullInput);
        pinnedOutputs = Map.of(signature.outputName(), fullOutput);
    }

    /** Frees the native tensors; a later score allocates them again. */
    @Override
    public void close() {
        if (fullInput != null) {
            fullInput.close();
            fullOutput.close();
            fullInput = null;
            fullOutput = null;
        }
        capacity = 0;
    }
}
