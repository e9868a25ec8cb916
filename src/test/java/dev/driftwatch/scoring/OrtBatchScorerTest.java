package dev.driftwatch.scoring;

import dev.driftwatch.config.ScoringModelConfig;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scorer reuses its input buffer and a pinned output across calls: full and partial batches in any order must
 * score exactly what a fresh OrtSession.run on the same rows gives (no stale rows, no stale scores).
 */
class OrtBatchScorerTest {

    @Test
    void fullAndPartialBatchesInAnyOrderScoreAsAFreshRunDoes() throws Exception {
        for (String name : new String[] {"handbook_mlp", "two_output_classifier"}) {
            Path model = Path.of("src/test/resources/models/" + name + ".onnx");
            ScoringModelConfig c = ScoringModelConfig.replay("m", model.toString(),
                    OnnxModelArtifact.sha256(Files.readAllBytes(model)), outputOf(model));
            try (SharedOrtSessions.Lease lease = SharedOrtSessions.jvmWide().acquire(c);
                    OrtBatchScorer scorer = new OrtBatchScorer(lease.session(), lease.signature())) {
                int features = lease.signature().featureCount();
                Random random = new Random(1);
                for (int rows : new int[] {64, 64, 3, 64, 1, 64, 100, 7, 100}) {
                    float[] in = new float[rows * features];
                    for (int i = 0; i < in.length; i++) {
                        in[i] = (float) random.nextGaussian();
                    }
                    float[] scores = new float[rows];
                    scorer.score(in, rows, scores);
                    assertThat(scores).as("%s, %d rows", name, rows).containsExactly(fresh(lease, in, rows));
                }
            }
        }
    }

    private static String outputOf(Path model) throws Exception {
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString())) {
            return s.getOutputNames().iterator().next();
        }
    }

    private static float[] fresh(SharedOrtSessions.Lease lease, float[] rows, int n) throws Exception {
        OnnxModelArtifact.ModelSignature sig = lease.signature();
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(rows),
                        new long[] {n, sig.featureCount()});
                OrtSession.Result r = lease.session().run(Map.of(sig.inputName(), t))) {
            FloatBuffer out = ((OnnxTensor) r.get(sig.outputName()).orElseThrow()).getFloatBuffer();
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                scores[i] = out.get(i * sig.outputWidth() + sig.outputColumn());
            }
            return scores;
        }
    }
}
