#!/usr/bin/python3
"""A minimal Airflow 3 stand-in for scripts/prometheus-e2e.sh, on 127.0.0.1: POST /auth/token answers 201 with a
token for user driftwatch and the password given, POST /api/v2/dags/<dag>/dagRuns answers 200 (409 for a run id it
has seen), as Airflow's published API does. It exists so the demo's retraining trigger runs and its metrics reach
Prometheus; the trigger itself is tested against the full contract in AirflowTriggerSinkITCase.

Usage: fake_airflow.py PORT PASSWORD
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, PASSWORD = int(sys.argv[1]), sys.argv[2]
RUNS = set()


class Handler(BaseHTTPRequestHandler):
    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/auth/token":
            ok = body.get("username") == "driftwatch" and body.get("password") == PASSWORD
            return self._reply(201, {"access_token": "e2e-token"}) if ok else self._reply(401, {"detail": "bad credentials"})
        if self.path.startswith("/api/v2/dags/") and self.path.endswith("/dagRuns"):
            if self.headers.get("Authorization") != "Bearer e2e-token":
                return self._reply(401, {"detail": "Not authenticated"})
            run_id = body.get("dag_run_id")
            if run_id in RUNS:
                return self._reply(409, {"detail": "DAG run already exists"})
            RUNS.add(run_id)
            return self._reply(200, {"dag_run_id": run_id, "state": "queued", "conf": body.get("conf")})
        return self._reply(404, {"detail": "Not Found"})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
