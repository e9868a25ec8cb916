#!/usr/bin/env bash
# Checks the operations files that no Maven test covers (bin/test runs it after Maven):
#  1. docker-compose.yml parses with Debian's docker-compose (`docker-compose config`, the Compose file
#     format's own validation), and every file or directory it mounts or builds from the repository exists;
#     repository files a service runs (entrypoint, command) exist, and an entrypoint script is executable.
#     Build outputs (target/..., made by `mvn package`) are checked only when present: run
#     `mvn -DskipTests package` before `docker compose up`.
#  2. promtool: the Prometheus config, the alerting rules, and the rules' unit tests.
# There is no Docker engine here: this validates the compose file, it does not start the stack.
set -euo pipefail
cd "$(dirname "$0")/.."

install() {  # install Debian packages when a command is missing (bin/test runs as root in CI)
  echo "check-ops: installing Debian's $* ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v docker-compose >/dev/null || install docker-compose
command -v promtool >/dev/null || install prometheus

echo "check-ops: docker-compose $(docker-compose version --short 2>/dev/null || true) config"
resolved="$(mktemp)"
trap 'rm -f "$resolved"' EXIT
docker-compose -f docker-compose.yml config >"$resolved"
docker-compose -f docker-compose.yml --profile gpu config --services >/dev/null

/usr/bin/python3 - "$resolved" "$(pwd)" <<'PY'
import os, sys, yaml

resolved, root = sys.argv[1], sys.argv[2]
config = yaml.safe_load(open(resolved))
BUILT_BY_MAVEN = os.path.join(root, "target") + os.sep   # build outputs: checked only when present
failures, notes = [], []

def rel(p):
    return os.path.relpath(p, root)

def binds(service):
    """(source on the host, target in the container) of every bind mount, short or long syntax."""
    out = []
    for v in service.get("volumes", []):
        if isinstance(v, dict):
            if v.get("type") == "bind":
                out.append((v["source"], v["target"]))
        else:
            parts = v.split(":")
            if len(parts) >= 2 and parts[0].startswith(("/", ".")):
                out.append((parts[0], parts[1]))
    return out

checked = 0
for name, service in sorted(config["services"].items()):
    mounts = binds(service)
    for source, target in mounts:
        source = os.path.normpath(os.path.join(root, source))
        if not (source == root or source.startswith(root + os.sep)):
            continue  # not from the repository
        checked += 1
        if os.path.exists(source):
            print(f"ok        {name}: {rel(source)} -> {target}")
        elif (source + os.sep).startswith(BUILT_BY_MAVEN) or source.startswith(BUILT_BY_MAVEN):
            notes.append(f"{name}: {rel(source)} is built by mvn package; not built yet, so not checked")
        else:
            failures.append(f"{name}: mounts {rel(source)} -> {target}, which does not exist")
    build = service.get("build")
    if build:
        context = build["context"] if isinstance(build, dict) else build
        dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
        checked += 1
        if os.path.isfile(dockerfile):
            print(f"ok        {name}: builds {rel(dockerfile)}")
        else:
            failures.append(f"{name}: build {rel(dockerfile)} does not exist")
    # repository files the service runs: map container paths back through the bind mounts
    def as_list(x):
        return [] if x is None else ([x] if isinstance(x, str) else list(x))
    entry, command = as_list(service.get("entrypoint")), as_list(service.get("command"))
    words = [(i, w) for i, token in enumerate(entry + command) for w in token.split()]  # also inside `bash -c '...'`
    for i, token in words:
        for source, target in mounts:
            source = os.path.normpath(os.path.join(root, source))
            if token == target or token.startswith(target.rstrip("/") + "/"):
                host = os.path.normpath(source + token[len(target):])
                if not host.startswith(root):
                    continue
                checked += 1
                if not os.path.exists(host):
                    if not host.startswith(BUILT_BY_MAVEN):
                        failures.append(f"{name}: runs {token}, but {rel(host)} does not exist")
                elif i == 0 and entry and not os.access(host, os.X_OK):
                    failures.append(f"{name}: entrypoint {rel(host)} is not executable")
                else:
                    print(f"ok        {name}: runs {token} ({rel(host)})")

for n in notes:
    print(f"note      {n}")
for f in failures:
    print(f"FAIL      {f}")
print(f"check-ops: compose: {len(config['services'])} services, {checked} repository paths checked, "
      f"{len(notes)} build outputs not present, {len(failures)} failures")
sys.exit(1 if failures else 0)
PY

echo "check-ops: promtool"
promtool check config prometheus/prometheus.yml
# every rule file of prometheus/rules; *.test.yml are promtool's unit-test files (another format), tested below
rule_files=()
for f in prometheus/rules/*.yml; do
  [[ "$f" == *.test.yml ]] || rule_files+=("$f")
done
promtool check rules "${rule_files[@]}"
promtool test rules prometheus/rules/driftwatch.rules.test.yml
echo "check-ops: OK"
