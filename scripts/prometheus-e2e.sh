#!/usr/bin/env bash
# End-to-end check of the Grafana dashboard's queries against a real Prometheus scraping a running job.
#
# Starts `bin/driftwatch demo` (Kafka broker, the job in a MiniCluster, drifting traffic) in the background and
# Debian's Prometheus on 127.0.0.1 with a temporary config that scrapes the demo's Prometheus reporter and loads
# prometheus/rules/*.yml. Then it extracts every PromQL expression of grafana/dashboards/driftwatch.json
# (targets and template variables), substitutes the template variables, evaluates each through
# /api/v1/query and requires data; it also requires every metric name the dashboard uses to be in the scrape,
# and every alerting rule to evaluate without error. Metrics that the demo cannot produce (no Airflow, no
# ONNX scoring configured) are in ALLOW_ABSENT below: reported, not failed. Stops everything on exit.
# Takes about 1.5 minutes (the demo's first drift alert comes about 45 s after the job is up).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

# The demo runs with --score (replay and shadow ONNX scoring) and --airflow-url (a minimal Airflow 3 stand-in,
# scripts/e2e/fake_airflow.py), so every dashboard metric is produced: nothing is allowed to be absent.
ALLOW_ABSENT=()
# Template variables. Flink's Prometheus reporter turns '-' in label values into '_': the demo's model
# fraud-detector is labelled fraud_detector.
MODEL=fraud_detector
FEATURE=f3
WAIT_FOR_DATA_S=120   # after the job is up: the first windows close after ~10 s, the alert after ~45 s

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "prometheus-e2e: installing Debian's prometheus ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-prom-e2e.XXXXXX")"
demo_pid=""
prom_pid=""
cleanup() {
  local rc=$?
  if [[ -n "${airflow_pid:-}" ]]; then kill "$airflow_pid" 2>/dev/null || true; fi
  # the demo runs in its own process group (setsid): its JVM and the broker's JVM go together
  if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM -- "-$demo_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$demo_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$demo_pid" 2>/dev/null || true
  fi
  if [[ -n "$prom_pid" ]] && kill -0 "$prom_pid" 2>/dev/null; then
    kill -TERM "$prom_pid" 2>/dev/null || true
    wait "$prom_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "prometheus-e2e: FAILED (rc $rc); demo log:" >&2
    tail -n 30 "$work/demo.log" >&2 2>/dev/null || true
    echo "prometheus log:" >&2
    tail -n 10 "$work/prometheus.log" >&2 2>/dev/null || true
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
metrics_port="$(free_port)"
web_port="$(free_port)"
prom_port="$(free_port)"

airflow_port="$(free_port)"
export DRIFTWATCH_DEMO_AIRFLOW_PASSWORD="e2e-$RANDOM$RANDOM"
setsid /usr/bin/python3 scripts/e2e/fake_airflow.py "$airflow_port" "$DRIFTWATCH_DEMO_AIRFLOW_PASSWORD" >"$work/airflow.log" 2>&1 &
airflow_pid=$!

echo "prometheus-e2e: starting bin/driftwatch demo --score --airflow-url (metrics :$metrics_port, web :$web_port) ..."
setsid bin/driftwatch demo --duration 100s --metrics-port "$metrics_port" --web-port "$web_port" \
  --score --airflow-url "http://127.0.0.1:$airflow_port" --work-dir target/e2e-demo >"$work/demo.log" 2>&1 &
demo_pid=$!

for _ in $(seq 1 840); do   # up to 7 min: the first bin/driftwatch run after a source change builds the project
  grep -q '^Kafka ' "$work/demo.log" && break
  kill -0 "$demo_pid" 2>/dev/null || { echo "prometheus-e2e: the demo exited before the job was up" >&2; exit 1; }
  sleep 0.5
done
grep -q '^Kafka ' "$work/demo.log" || { echo "prometheus-e2e: the job was not up after 7 minutes (build log: target/cli-build.log)" >&2; exit 1; }
echo "prometheus-e2e: job up: $(grep '^Kafka ' "$work/demo.log")"

cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: ["$root/prometheus/rules/driftwatch.rules.yml"]
scrape_configs:
  - job_name: driftwatch-demo
    static_configs: [{targets: ["127.0.0.1:$metrics_port"]}]
YAML
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
echo "prometheus-e2e: Prometheus $(prometheus --version 2>&1 | head -n1 | awk '{print $3}') on 127.0.0.1:$prom_port"

/usr/bin/python3 - "$root/grafana/dashboards/driftwatch.json" "http://127.0.0.1:$prom_port" \
  "http://127.0.0.1:$metrics_port/metrics" "$MODEL" "$FEATURE" "$WAIT_FOR_DATA_S" "${ALLOW_ABSENT[@]}" <<'PY'
import json, re, sys, time, urllib.parse, urllib.request

dashboard, prom, scrape_url, model, feature, wait_s, *allow = sys.argv[1:]
allow = set(allow)
subst = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m", "${__range}": "5m",
         "$__range_s": "300", "$__interval_ms": "15000", "$model": model, "${model}": model,
         "$feature": feature, "${feature}": feature}

def substitute(expr):
    for k in sorted(subst, key=len, reverse=True):
        expr = expr.replace(k, subst[k])
    if "$" in expr:
        raise SystemExit(f"unsubstituted variable in {expr!r}")
    return expr

d = json.load(open(dashboard))
exprs = []  # (where, expr)
def walk(panels):
    for p in panels:
        for t in p.get("targets", []):
            exprs.append((f'panel "{p["title"]}" {t["refId"]}', t["expr"]))
        walk(p.get("panels", []))
walk(d["panels"])
for v in d["templating"]["list"]:
    q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
    m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q.strip())
    if not m:
        raise SystemExit(f"variable {v['name']}: not a label_values query: {q}")
    # label_values(sel, label) returns data exactly when the selector does
    exprs.append((f'variable ${v["name"]}', m.group(1)))

NAME = re.compile(r"\b(flink_[A-Za-z0-9_]+)")
def names(expr):
    return set(NAME.findall(expr))

def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()

def query(expr):
    body = json.loads(get(f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
    if body["status"] != "success":
        raise SystemExit(f"query failed: {expr}: {body}")
    return body["data"]["result"]

deadline = time.time() + float(wait_s)
while True:
    try:
        get(f"{prom}/-/ready")
        break
    except Exception:
        if time.time() > deadline:
            raise SystemExit("Prometheus did not get ready")
        time.sleep(0.5)

# The demo drifts f3 and f7: the job's alert must reach Prometheus' DriftwatchModelDrifting rule (pending
# during its 'for', then firing). Polled while waiting for data too: the demo's episode is short.
def drifting_state():
    for g in json.loads(get(f"{prom}/api/v1/rules"))["data"]["groups"]:
        for rule in g["rules"]:
            if rule["name"] == "DriftwatchModelDrifting":
                return rule.get("state"), [a["labels"].get("model") for a in rule.get("alerts", [])]
    return None, []
seen_drifting = None

def watch_rule():
    global seen_drifting
    state, models = drifting_state()
    if seen_drifting is None and state in ("pending", "firing"):
        seen_drifting = (state, models)

# Evaluate until every required expression has data (the demo's windows and alert take time), or time is up.
results = {}
while True:
    watch_rule()
    results = {}
    for where, e in exprs:
        results[(where, e)] = query(substitute(e))
    missing = [k for k, r in results.items() if not r and not (names(k[1]) & allow)]
    if not missing or time.time() > deadline:
        break
    time.sleep(3)

scrape = get(scrape_url)
scraped = set(re.findall(r"^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", scrape, re.M))
failures = 0
print(f"{'outcome':<9} {'series':>6}  where: expression ($model={model}, $feature={feature}, $__rate_interval=1m)")
for (where, e), r in results.items():
    allowed = bool(names(e) & allow)
    if r:
        outcome = "ok"
    elif allowed:
        outcome = "allowed"   # not produced by the demo (Airflow / scoring): reported, not failed
    else:
        outcome = "FAIL"
        failures += 1
    print(f"{outcome:<9} {len(r):>6}  {where}: {substitute(e)}")

print()
all_names = sorted(set().union(*(names(e) for _, e in exprs)))
for n in all_names:
    if n in scraped:
        print(f"ok        metric in scrape: {n}")
    elif n in allow:
        print(f"allowed   metric not in scrape (not produced by the demo): {n}")
    else:
        print(f"FAIL      metric not in scrape: {n}")
        failures += 1

alert_deadline = time.time() + 100
watch_rule()
while seen_drifting is None and time.time() < alert_deadline:
    time.sleep(3)
    watch_rule()
print()
if seen_drifting:
    print(f"ok        rule DriftwatchModelDrifting was {seen_drifting[0]} for {seen_drifting[1]} (the demo's drift)")
else:
    print(f"FAIL      rule DriftwatchModelDrifting never went pending/firing (state {drifting_state()[0]})")
    failures += 1

rules = json.loads(get(f"{prom}/api/v1/rules"))["data"]["groups"]
for g in rules:
    for rule in g["rules"]:
        ok = rule.get("health") == "ok"
        failures += 0 if ok else 1
        print(f"{'ok' if ok else 'FAIL':<9} rule {rule['name']}: health {rule.get('health')}, state {rule.get('state')}"
              + ("" if ok else f" ({rule.get('lastError')})"))

print()
n_ok = sum(1 for r in results.values() if r)
print(f"prometheus-e2e: {len(results)} expressions, {n_ok} with data, "
      f"{sum(1 for (w, e), r in results.items() if not r and names(e) & allow)} allowed empty, {failures} failures")
sys.exit(1 if failures else 0)
PY
echo "prometheus-e2e: OK"
