"""Retraining DAG started by driftwatch when a model drifts.

driftwatch's Airflow sink triggers this DAG (dag_id ``driftwatch_retrain`` unless you rename it and set
``airflow.dag-id``) with one run per drift alert; the run id is ``driftwatch__<alert_id>``, so a replayed
alert never starts a second run. ``dag_run.conf`` carries everything needed to retrain:

    {
      "source": "driftwatch", "alert_id": "...", "status": "FIRING", "kind": "DRIFT", "severity": "CRITICAL",
      "model": "fraud", "model_version": "7", "baseline_version": "2026-02-01",
      "window": {"start": "2026-03-01T11:00:00.000Z", "end": "2026-03-01T12:00:00.000Z"},
      "drift_share": 0.4,
      "drifted_features": [{"feature": "amount", "tests": [{"test": "PSI", "statistic": 0.41,
                            "p_value": null, "threshold": 0.25, "drifted": true}]}],
      "baseline_lineage": {"dataset_sha256": "...", "rows": 1000000, "created_at": "...",
                           "source": "s3://...", "code_version": "0.1.0"},
      "alert_created_at": "...", "summary": "..."
    }

Written in Airflow 3 style (``airflow.sdk``) and falling back to ``airflow.decorators`` so it also runs on 2.x.
Replace the bodies of ``retrain`` and ``evaluate`` with your training code; the baseline step publishes the
new model's training data as the baseline driftwatch compares against from then on.
"""
from __future__ import annotations

import shlex

try:  # Airflow 3
    from airflow.sdk import dag, task, get_current_context
except ImportError:  # Airflow 2.x
    from airflow.decorators import dag, task
    from airflow.operators.python import get_current_context

import pendulum

DRIFTWATCH = "bin/driftwatch"


@dag(
    dag_id="driftwatch_retrain",
    schedule=None,  # only started by driftwatch (or by hand)
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one retraining at a time; driftwatch's cooldown keeps triggers rare anyway
    tags=["driftwatch", "retraining"],
    doc_md=__doc__,
)
def driftwatch_retrain():
    @task
    def read_alert() -> dict:
        """Reads and checks dag_run.conf; a run started by hand without conf fails here, clearly."""
        conf = get_current_context()["dag_run"].conf or {}
        missing = [k for k in ("model", "model_version", "window", "alert_id") if k not in conf]
        if missing:
            raise ValueError(f"dag_run.conf lacks {missing}; this DAG is meant to be started by driftwatch")
        if conf.get("status") == "RESOLVED":
            print(f"alert {conf['alert_id']} is RESOLVED: nothing to retrain")
        features = [f["feature"] for f in conf.get("drifted_features", [])]
        print(f"retraining {conf['model']} v{conf['model_version']}: drift share {conf.get('drift_share')} "
              f"in {conf['window']['start']} .. {conf['window']['end']}, drifted features {features}, "
              f"baseline {conf.get('baseline_version')} from {(conf.get('baseline_lineage') or {}).get('source')}")
        return conf

    @task
    def retrain(conf: dict) -> dict:
        """Your training job goes here: train on data that includes the drifted window."""
        if conf.get("status") == "RESOLVED":
            return {"skipped": True}
        training_data = f"s3://ml-data/{conf['model']}/train-until-{conf['window']['end'][:10]}.parquet"
        new_version = f"{conf['model_version']}-retrained-{conf['alert_id'][:8]}"
        # e.g. submit a training job with training_data, register new_version in the model registry
        return {"skipped": False, "model": conf["model"], "version": new_version, "training_data": training_data}

    @task
    def evaluate(model: dict) -> dict:
        """Your evaluation gate goes here: compare the new model with the serving one before promoting it."""
        return model

    @task
    def publish_baseline(model: dict) -> str:
        """Builds the new model's baseline from its training data and publishes it to driftwatch."""
        if model.get("skipped"):
            return "nothing to publish"
        out = f"/tmp/baseline-{model['model']}-{model['version']}"
        command = (
            f"{DRIFTWATCH} baseline build --model {shlex.quote(model['model'])} "
            f"--version {shlex.quote(model['version'])} --input {shlex.quote(model['training_data'])} "
            f"--out {shlex.quote(out)} && "
            f"{DRIFTWATCH} baseline publish --dir {shlex.quote(out)}"
        )
        # Run it where driftwatch is installed, e.g. with a BashOperator, a KubernetesPodOperator or
        # subprocess.run(command, shell=True, check=True). Printed here so the example runs anywhere.
        print(command)
        return command

    publish_baseline(evaluate(retrain(read_alert())))


driftwatch_retrain()
