#!/usr/bin/env bash
# Creates driftwatch's topics on the compose stack's broker (run once by the kafka-topics service).
# The baseline topic is compacted: `baseline publish` refuses a topic that is not (retention would delete
# baselines). Dead letters keep the raw bytes of rejected records, which may be personal data: their topic's
# retention is DEAD_LETTER_RETENTION_MS (default 7 days, as kafka.dead-letter-retention in
# docker/flink/driftwatch.yaml), set on every run so a changed value reaches a topic that already exists.
set -euo pipefail
bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
dead_letter_retention_ms="${DEAD_LETTER_RETENTION_MS:-604800000}"
topics=/opt/kafka/bin/kafka-topics.sh
create() {
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$@"
}
create inference-events --partitions 2 --replication-factor 1
create drift-alerts --partitions 1 --replication-factor 1
create driftwatch-results --partitions 1 --replication-factor 1
create driftwatch-dead-letters --partitions 1 --replication-factor 1 --config "retention.ms=$dead_letter_retention_ms"
/opt/kafka/bin/kafka-configs.sh --bootstrap-server "$bootstrap" --alter --entity-type topics \
  --entity-name driftwatch-dead-letters --add-config "retention.ms=$dead_letter_retention_ms"
create driftwatch-baselines --partitions 1 --replication-factor 1 --config cleanup.policy=compact
"$topics" --bootstrap-server "$bootstrap" --list
