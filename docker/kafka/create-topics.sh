#!/usr/bin/env bash
# Creates driftwatch's topics on the compose stack's broker (run once by the kafka-topics service).
# The baseline topic is compacted: `baseline publish` refuses a topic that is not (retention would delete
# baselines).
set -euo pipefail
bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
topics=/opt/kafka/bin/kafka-topics.sh
create() {
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$@"
}
create inference-events --partitions 2 --replication-factor 1
create drift-alerts --partitions 1 --replication-factor 1
create driftwatch-results --partitions 1 --replication-factor 1
create driftwatch-dead-letters --partitions 1 --replication-factor 1
create driftwatch-baselines --partitions 1 --replication-factor 1 --config cleanup.policy=compact
"$topics" --bootstrap-server "$bootstrap" --list
