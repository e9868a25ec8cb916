#!/usr/bin/python3
"""Writes the ONNX test models of the scoring package and their expected outputs.

Run with Debian's python (apt-get install -y python3-onnx python3-numpy):
    /usr/bin/python3 scripts/make_test_models.py [out_dir]
Default out_dir: src/test/resources/models. The outputs are computed here with numpy from the
same weights, so the Java tests compare ONNX Runtime against an independent implementation.

Models (inputs are one float tensor "features" of shape [batch, n]):
  handbook_mlp.onnx        the handbook's MLP: 10 -> 32 -> ReLU -> 1 -> sigmoid, output "prediction" [batch, 1]
  logistic_regression.onnx 4 features -> sigmoid(x.w + b), output "probability" [batch, 1]
  two_output_classifier.onnx 6 features -> 8 -> ReLU -> 2 -> softmax; outputs "probabilities"
                           [batch, 2] (float) and "label" [batch] (int64, argmax)
Each model carries its feature order in metadata_props under "driftwatch.feature_order"
(comma-separated), which the scoring config falls back on when it gives no feature_order.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FEATURE_ORDER_KEY = "driftwatch.feature_order"
OPSET = 13
ROWS = 64


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def save(model, path):
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_model(name, nodes, initializers, n_features, outputs, features):
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n_features])],
        outputs,
        initializer=[numpy_helper.from_array(a, n) for n, a in initializers],
    )
    model = helper.make_model(graph, producer_name="driftwatch-make_test_models",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # readable by every ONNX Runtime since 1.10
    helper.set_model_props(model, {FEATURE_ORDER_KEY: ",".join(features)})
    return model


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "test", "resources", "models")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20260601)
    expected = {}

    # 1. The handbook's MLP (10 -> 32 -> ReLU -> 1 -> sigmoid).
    feats = [f"f{i}" for i in range(10)]
    w1 = rng.normal(0, 0.5, (10, 32)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 32).astype(np.float32)
    w2 = rng.normal(0, 0.5, (32, 1)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 1).astype(np.float32)
    mlp = make_model("handbook_mlp", [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["h"]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "w2", "b2"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["prediction"]),
    ], [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)], 10,
        [helper.make_tensor_value_info("prediction", TensorProto.FLOAT, ["batch", 1])], feats)

    def mlp_np(x):
        x = x.astype(np.float64)
        h = np.maximum(x @ w1.astype(np.float64) + b1, 0.0)
        return sigmoid(h @ w2.astype(np.float64) + b2)[:, 0]

    x = rng.normal(0, 1, (ROWS, 10)).astype(np.float32)
    # A serving path that forgot to standardise feature f3 (raw = 10 * z + 50): the skew tests'
    # "perturbed feature transform".
    x_skewed = x.copy()
    x_skewed[:, 3] = x[:, 3] * 10.0 + 50.0
    sha = save(mlp, os.path.join(out_dir, "handbook_mlp.onnx"))
    expected["handbook_mlp"] = {
        "file": "handbook_mlp.onnx", "sha256": sha, "input": "features", "output": "prediction",
        "feature_order": feats, "inputs": x.tolist(), "outputs": mlp_np(x).tolist(),
        "outputs_with_perturbed_f3": mlp_np(x_skewed).tolist(),
    }

    # 2. Logistic regression.
    feats = ["age", "income", "tenure_months", "num_products"]
    w = rng.normal(0, 0.8, (4, 1)).astype(np.float32)
    b = np.array([0.25], dtype=np.float32)
    lr = make_model("logistic_regression", [
        helper.make_node("Gemm", ["features", "w", "b"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["probability"]),
    ], [("w", w), ("b", b)], 4,
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 1])], feats)
    x = rng.normal(0, 1, (ROWS, 4)).astype(np.float32)
    sha = save(lr, os.path.join(out_dir, "logistic_regression.onnx"))
    expected["logistic_regression"] = {
        "file": "logistic_regression.onnx", "sha256": sha, "input": "features", "output": "probability",
        "feature_order": feats, "inputs": x.tolist(),
        "outputs": sigmoid(x.astype(np.float64) @ w.astype(np.float64) + b)[:, 0].tolist(),
    }

    # 3. A classifier with two outputs: class probabilities and the argmax label.
    feats = [f"x{i}" for i in range(6)]
    v1 = rng.normal(0, 0.6, (6, 8)).astype(np.float32)
    c1 = rng.normal(0, 0.1, 8).astype(np.float32)
    v2 = rng.normal(0, 0.6, (8, 2)).astype(np.float32)
    c2 = rng.normal(0, 0.1, 2).astype(np.float32)
    clf = make_model("two_output_classifier", [
        helper.make_node("Gemm", ["features", "v1", "c1"], ["h"]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "v2", "c2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
    ], [("v1", v1), ("c1", c1), ("v2", v2), ("c2", c2)], 6,
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2]),
         helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"])], feats)
    x = rng.normal(0, 1, (ROWS, 6)).astype(np.float32)
    logits = np.maximum(x.astype(np.float64) @ v1.astype(np.float64) + c1, 0.0) @ v2.astype(np.float64) + c2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    sha = save(clf, os.path.join(out_dir, "two_output_classifier.onnx"))
    expected["two_output_classifier"] = {
        "file": "two_output_classifier.onnx", "sha256": sha, "input": "features", "output": "probabilities",
        "feature_order": feats, "inputs": x.tolist(), "outputs": probs[:, 1].tolist(),
        "probabilities": probs.tolist(), "labels": np.argmax(logits, axis=1).tolist(),
    }

    with open(os.path.join(out_dir, "expected_outputs.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for name, e in expected.items():
        print(f"{name}: {e['file']} sha256={e['sha256']}")


if __name__ == "__main__":
    main()
