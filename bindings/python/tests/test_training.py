"""train() and evaluate() over the library's trainer, from config files,
dicts and DataFrames, held to the command-line tool's results."""
import json
import os
import re

import pandas as pd
import pytest

import barista
from conftest import cli, cli_json


def strip_comments(text):
    return "\n".join(re.sub(r"^\s*//.*$", "", line) for line in text.splitlines())


def test_train_from_a_config_file_matches_the_command_line(synth, tmp_path, monkeypatch):
    # The creation time fixed (the reproducible-builds convention both
    # honour), the rest of the file depends on config, seed and data only.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = str(synth / "config.json")
    ours = str(tmp_path / "python.barista")
    theirs = str(tmp_path / "cli.barista")
    summary = barista.train(config, ours, epochs=2, seed=3, quiet=True)
    cli("train", config, "--out", theirs, "--epochs", 2, "--seed", 3, "--quiet")
    assert summary["epochs"] == 2 and summary["interactions"] > 3000 and summary["users"] == 300
    # Same config, seed and data: the same bytes (the lineage records the
    # config file's path as given, the same here).
    with open(ours, "rb") as a, open(theirs, "rb") as b:
        assert a.read() == b.read()
    meta = barista.Model(ours).metadata()
    assert meta["properties"]["seed"] == "3"
    assert json.loads(meta["training_config"])["training"]["epochs"] == 2


def test_dataframes_and_dicts_train_what_the_files_train(synth, tmp_path):
    with open(synth / "config.json") as f:
        config = json.loads(strip_comments(f.read()))
    for table in ("interactions", "items", "users"):
        config["data"][table]["path"] = str(synth / (table + ".csv"))
    from_files = str(tmp_path / "files.barista")
    from_frames = str(tmp_path / "frames.barista")
    barista.train(config, from_files, epochs=1, quiet=True)
    frames = {t: pd.read_csv(synth / (t + ".csv")) for t in ("interactions", "items", "users")}
    summary = barista.train(config, from_frames, epochs=1, quiet=True, **frames)
    assert summary["interactions"] == len(frames["interactions"])
    a, b = barista.Session(barista.Model(from_files)), barista.Session(barista.Model(from_frames))
    for user in ("user-0", "user-5", "someone new"):
        assert a.recommend({"user_id": user}, k=10) == b.recommend({"user_id": user}, k=10)


def test_evaluate_matches_the_command_line(synth, tmp_path):
    config = str(synth / "config.json")
    model = str(tmp_path / "m.barista")
    summary = barista.train(config, model, epochs=2, evaluate=True, quiet=True)
    names = [r["name"] for r in summary["eval"]]
    assert names == ["MostPop", "wide & deep (f32)", "wide & deep (int8)"]
    ours = barista.evaluate(config, [model], quiet=True)
    theirs = cli_json("eval", config, "--model", model)
    assert [r["name"] for r in ours["rows"]] == [r["name"] for r in theirs["rows"]]
    assert [r["name"].split(" (")[0] for r in ours["rows"]][:3] == ["MostPop", "EASE", "item-kNN"]
    for a, b in zip(ours["rows"], theirs["rows"]):
        assert a["users"] == b["users"]
        assert a["hr"] == pytest.approx(b["hr"], abs=1e-12) and a["ndcg"] == pytest.approx(b["ndcg"], abs=1e-12)
    assert ours["notes"] == theirs["notes"]
    # The model's row is the one train(evaluate=True) measured.
    assert ours["rows"][-1]["hr"] == pytest.approx(summary["eval"][1]["hr"], abs=1e-12)


def test_customer_memory_on_a_trained_model(synth, tmp_path):
    model_path = str(tmp_path / "m.barista")
    barista.train(str(synth / "config.json"), model_path, epochs=1, quiet=True)
    model = barista.Model(model_path)
    items = model.item_ids()
    overlay = barista.Overlay(model)
    for item in items[:3]:
        overlay.observe({"user_id": "walk-in"}, item, label=1.0)
    assert overlay.recent_items("walk-in") == items[:3]


def test_training_refusals_are_errors(synth, tmp_path):
    with pytest.raises(barista.Error) as failure:
        barista.train({"data": {}}, str(tmp_path / "x.barista"), quiet=True)
    assert failure.value.status == "INVALID_ARGUMENT"
    with pytest.raises(barista.Error) as failure:
        barista.train(str(tmp_path / "missing.json"), str(tmp_path / "x.barista"), quiet=True)
    assert failure.value.status == "IO_ERROR"
    with pytest.raises(ValueError, match="data.users"):
        config = {"data": {"interactions": {"path": "x.csv", "user": "u", "item": "i"}}}
        barista.train(config, str(tmp_path / "x.barista"), users=pd.DataFrame({"u": [1]}), quiet=True)
    with pytest.raises(TypeError):
        barista.train(42, str(tmp_path / "x.barista"))
    assert not os.path.exists(tmp_path / "x.barista")
