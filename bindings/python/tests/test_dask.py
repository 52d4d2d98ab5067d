"""The Dask example (examples/dask_scoring.py) on a LocalCluster of two
worker processes gives the lists `barista recommend --all-users` writes."""
import os
import sys

import pandas as pd
import pytest

from conftest import cli

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import dask_scoring  # noqa: E402

import barista  # noqa: E402


def test_cluster_scores_equal_the_command_line(synth, tmp_path):
    model_path = str(tmp_path / "model.barista")
    cli("train", synth / "config.json", "--out", model_path, "--epochs", 2, "--quiet")
    cli("recommend", model_path, "--all-users", synth / "config.json", "--out", tmp_path / "cli.csv", "--k", 10)
    model = barista.Model(model_path)
    interactions = pd.read_csv(synth / "interactions.csv", dtype={"user": str, "item": str})
    users = pd.read_csv(synth / "users.csv", dtype=str)
    customers = dask_scoring.customers_from_log(interactions, model, users)
    assert len(customers) == 300
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        frame = dd.from_pandas(customers, npartitions=6)
        ours = dask_scoring.recommend_all(frame, model_path, k=10).compute()
    theirs = pd.read_csv(tmp_path / "cli.csv", dtype={"user": str, "item": str})
    ours = ours.rename(columns={"customer": "user"}).sort_values(["user", "rank"]).reset_index(drop=True)
    theirs = theirs.sort_values(["user", "rank"]).reset_index(drop=True)
    assert len(ours) == len(theirs) == 3000
    assert (ours["user"] == theirs["user"]).all() and (ours["rank"] == theirs["rank"]).all()
    assert (ours["item"] == theirs["item"]).all()
    # The tool prints six significant digits.
    assert (ours["score"] - theirs["score"]).abs().max() <= 1e-6
