#!/usr/bin/env bash
# driftwatch's command line inside the compose stack (maven:3.9-eclipse-temurin-17, the repository mounted at
# /src): `baselines` builds the demo model's baselines and publishes them to the baseline topic; `traffic`
# produces the drifting inference traffic (docker/traffic/InferenceTraffic.java).
# The classpath is resolved in this container (its own Maven repository volume), so a target/ built on the
# host, whose cli.classpath names the host's jars, does not matter.
set -euo pipefail
cd /src
bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
mvn -q -B -ntp -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/compose.classpath
export DRIFTWATCH_CLASSPATH="/src/target/classes:/src/target/test-classes:$(cat target/compose.classpath)"
case "${1:-}" in
  baselines)
    mkdir -p /work
    java -cp "$DRIFTWATCH_CLASSPATH" docker/traffic/InferenceTraffic.java training-csv /work/training.csv
    bin/driftwatch baseline build --input /work/training.csv --model fraud-detector --version v1 \
      --prediction-column score --out /work/baselines
    exec bin/driftwatch baseline publish /work/baselines --topic driftwatch-baselines --bootstrap-servers "$bootstrap"
    ;;
  traffic)
    exec java -cp "$DRIFTWATCH_CLASSPATH" docker/traffic/InferenceTraffic.java produce \
      --bootstrap-servers "$bootstrap" --topic inference-events \
      --rate "${TRAFFIC_RATE:-200}" --speedup "${TRAFFIC_SPEEDUP:-30}" --history "${TRAFFIC_HISTORY:-6h}"
    ;;
  *)
    echo "usage: driftwatch-tools.sh baselines|traffic" >&2
    exit 2
    ;;
esac
