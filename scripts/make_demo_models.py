#!/usr/bin/python3
"""Writes the demo's ONNX models (src/tools/resources/models/): the logistic model whose scores the demo traffic
logs (dev.driftwatch.local.SyntheticTraffic: WEIGHTS, BIAS), for replay scoring, and a candidate with the weights
scaled by 1.05, for shadow scoring. Inputs: one float tensor "features" [batch, 10] in the order f0..f9 (also in
the models' metadata "driftwatch.feature_order"); output "prediction" [batch, 1], the sigmoid.

Usage (Debian: apt-get install -y python3-onnx python3-numpy): /usr/bin/python3 scripts/make_demo_models.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/.."
WEIGHTS = [0.9, -0.7, 0.6, 0.05, 0.5, -0.4, 0.3, 0.05, 0.2, -0.1]  # SyntheticTraffic.WEIGHTS
BIAS = -0.2                                                          # SyntheticTraffic.BIAS


def model(name, weights, bias):
    w = np.array(weights, dtype=np.float32).reshape(10, 1)
    b = np.array([bias], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["features", "w", "b"], ["z"]), helper.make_node("Sigmoid", ["z"], ["prediction"])],
        name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 10])],
        [helper.make_tensor_value_info("prediction", TensorProto.FLOAT, ["batch", 1])],
        [helper.make_tensor("w", TensorProto.FLOAT, [10, 1], w.flatten().tolist()),
         helper.make_tensor("b", TensorProto.FLOAT, [1], b.tolist())])
    m = helper.make_model(graph, producer_name="driftwatch", opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    helper.set_model_props(m, {"driftwatch.feature_order": ",".join("f%d" % i for i in range(10))})
    onnx.checker.check_model(m)
    path = os.path.join(ROOT, "src/tools/resources/models", name + ".onnx")
    onnx.save(m, path)
    print("wrote", os.path.normpath(path))


model("demo-logistic", WEIGHTS, BIAS)
model("demo-logistic-candidate", [1.05 * x for x in WEIGHTS], BIAS)
