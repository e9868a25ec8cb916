package dev.driftwatch.cli;

import picocli.CommandLine.Option;

/**
 * The flags of the baseline commands that name one model version: {@code --model}, {@code --version}, and the
 * help flag those commands define themselves because {@code --version} is taken by the model version.
 */
final class ModelVersionOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name (as InferenceEvent.model_name).")
    String model;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Model version of the baselines.")
    String version;
}
