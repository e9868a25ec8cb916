package dev.driftwatch.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.driftwatch.scoring.OnnxModelArtifact.ModelSignature;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * Runs one micro-batch through a verified ONNX session: the rows become a [rows, features] float
 * tensor, only the score output is computed, and the configured column of it is the score.
 */
public final class OrtBatchScorer implements MicroBatcher.BatchScorer {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final ModelSignature signature;
    private final Set<String> requestedOutputs;

    public OrtBatchScorer(OrtSession session, ModelSignature signature) {
        this.session = session;
        this.signature = signature;
        this.requestedOutputs = Set.of(signature.outputName());
    }

    @Override
    public void score(float[] rows, int rowCount, float[] scores) throws Exception {
        int features = signature.featureCount();
        long[] shape = {rowCount, features};
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows, 0, rowCount * features), shape);
                OrtSession.Result result = session.run(Map.of(signature.inputName(), input), requestedOutputs)) {
            OnnxValue value = result.get(signature.outputName())
                    .orElseThrow(() -> new IllegalStateException("ONNX Runtime returned no " + signature.outputName()));
            FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
            int width = signature.outputWidth();
            int column = signature.outputColumn();
            for (int i = 0; i < rowCount; i++) {
                scores[i] = out.get(i * width + column);
            }
        }
    }
}
