"""Model, Request, Item, Session and Overlay against the command-line tool
and against each other."""
import threading

import numpy as np
import pytest

import barista
from conftest import cli_json

ALICE = {"user_id": "alice", "basket": ["croissant"], "hour": 9}


def test_model_describes_itself(coffee_path):
    model = barista.Model(coffee_path)
    info = model.info()
    assert info["name"] == "coffee-shop-demo"
    assert info["item_count"] == model.item_count == 22
    inputs = {i["name"]: i for i in model.inputs()}
    assert inputs["basket"]["multivalent"] and inputs["basket"]["max_values"] == 20
    assert inputs["hour"]["kind"] == "numeric" and inputs["hour"]["source"] == "context"
    assert model.user_input == "user_id" and inputs["user_id"]["user_id"]
    ids = model.item_ids()
    assert len(ids) == 22 and ids[0] == "espresso"
    assert model.find_item("latte") == ids.index("latte")
    assert model.item_id(model.find_item("latte")) == "latte"
    meta = model.metadata()
    assert meta["name"] == "coffee-shop-demo"
    assert meta["properties"]["shop"] == "barista demo"
    model.verify()


def test_recommend_equals_the_command_line(coffee_path):
    session = barista.Session(barista.Model(coffee_path))
    ours = session.recommend(ALICE, k=5)
    theirs = cli_json("recommend", coffee_path, "--user", "alice", "--feature", "basket=croissant",
                      "--feature", "hour=9", "--k", 5)["recommendations"]
    assert [item for item, _ in ours] == [r["item"] for r in theirs]
    assert np.allclose([s for _, s in ours], [r["score"] for r in theirs], rtol=0, atol=1e-6)


def test_scores_agree_across_calls(coffee_path):
    model = barista.Model(coffee_path)
    session = barista.Session(model)
    top = session.recommend(ALICE, k=22)
    assert len(top) == 22
    assert all(a[1] >= b[1] for a, b in zip(top, top[1:]))
    ids = [item for item, _ in top]
    by_id = session.score(ALICE, ids)
    assert by_id.dtype == np.float32
    assert np.array_equal(by_id, np.array([s for _, s in top], dtype=np.float32))
    indices, scores = session.recommend_indices(ALICE, k=5)
    assert indices.dtype == np.uint32 and [model.item_id(int(i)) for i in indices] == ids[:5]
    assert np.array_equal(session.score_indices(ALICE, indices), scores)
    # A Request built once scores as the dict does.
    request = barista.Request(model, ALICE)
    assert np.array_equal(session.score(request, ids), by_id)


def test_exclude_and_candidates(coffee_path):
    session = barista.Session(barista.Model(coffee_path))
    best = session.recommend(ALICE, k=3)
    without = session.recommend(ALICE, k=3, exclude=[best[0][0]])
    assert best[0][0] not in [i for i, _ in without] and without[0] == best[1]
    only = session.recommend(ALICE, k=5, candidates=["latte", "espresso"])
    assert sorted(i for i, _ in only) == ["espresso", "latte"]
    assert session.recommend(ALICE, k=5, candidates=[]) == []
    assert len(session.recommend(ALICE, k=10**12)) == 22  # beyond the catalog: all of it


def test_described_items(coffee_path):
    model = barista.Model(coffee_path)
    session = barista.Session(model)
    scores = session.score_items(ALICE, [{"item_id": "latte", "category": "coffee", "price": 3.9},
                                         barista.Item(model, {"item_id": "pumpkin latte", "price": 4.5})])
    assert scores.shape == (2,) and np.all((scores > 0) & (scores < 1))
    assert scores[0] != scores[1]


def test_int8_shortlist_scores_are_exact(s_path):
    model = barista.Model(s_path)
    session = barista.Session(model)
    request = {"user_id": "u1"}
    exact = session.recommend(request, k=10)
    shortlist = session.recommend(request, k=10, precision="int8")
    # Whatever the shortlist returns carries its exact score.
    exact_scores = session.score(request, [i for i, _ in shortlist])
    assert np.allclose(exact_scores, [s for _, s in shortlist], rtol=0, atol=1e-6)
    assert len(exact) == 10


def test_overlay_learns_persists_and_forgets(coffee_path, tmp_path):
    model = barista.Model(coffee_path)
    path = str(tmp_path / "learned")
    newcomer = {"user_id": "newcomer-7"}
    session = barista.Session(model)
    before = session.score(newcomer, ["matcha latte"])[0]
    with barista.Overlay(model, path) as overlay:
        session.set_overlay(overlay)
        session.set_overlay(overlay)  # twice: no change (and no deadlock on the shared lock)
        for _ in range(5):
            overlay.observe(newcomer, "matcha latte", label=1.0)
        learned = session.score(newcomer, ["matcha latte"])[0]
        assert learned > before
        # The coffee model has no "history" input: nothing to remember
        # (test_training checks the memory on a trained model).
        assert overlay.recent_items("newcomer-7") == []
        assert overlay.stats()["customers"] == 1
        overlay.observe_shown(newcomer, ["espresso", "latte"], taken="latte")
        overlay.sync()
        after_shown = session.score(newcomer, ["matcha latte", "latte"])
    session.set_overlay(None)
    assert session.score(newcomer, ["matcha latte"])[0] == before
    # Reopened, the overlay holds what was synced.
    reopened = barista.Overlay(model, path)
    session.set_overlay(reopened)
    assert np.array_equal(session.score(newcomer, ["matcha latte", "latte"]), after_shown)
    reopened.forget_user("newcomer-7")
    assert reopened.recent_items("newcomer-7") == []
    assert session.score(newcomer, ["matcha latte"])[0] == before
    reopened.close()


def test_sessions_on_threads_give_the_serial_results(s_path):
    model = barista.Model(s_path)
    requests = [{"user_id": "u%d" % i} for i in range(40)]
    serial = [barista.Session(model).recommend(r, k=10) for r in requests]
    results = [None] * len(requests)

    def work(first):
        session = barista.Session(model)
        for i in range(first, len(requests), 2):
            results[i] = session.recommend(requests[i], k=10)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == serial


def test_one_session_shared_by_threads_stays_consistent(s_path):
    # The C API allows one thread at a time on a session; the package's lock
    # makes threads that share one wait instead of corrupting its scratch.
    model = barista.Model(s_path)
    session = barista.Session(model)
    requests = [{"user_id": "u%d" % i} for i in range(8)]
    expected = [session.recommend(r, k=10) for r in requests]
    failures = []

    def work():
        for _ in range(25):
            for r, e in zip(requests, expected):
                if session.recommend(r, k=10) != e:
                    failures.append(r)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_objects_outlive_the_closed_model(coffee_path):
    model = barista.Model(coffee_path)
    session = barista.Session(model)
    expected = session.recommend(ALICE, k=3)
    model.close()
    assert model.closed
    assert session.recommend(ALICE, k=3) == expected


def test_numpy_scalars_are_values(coffee_path):
    # Values taken from DataFrames are numpy scalars and arrays.
    session = barista.Session(barista.Model(coffee_path))
    plain = session.recommend(ALICE, k=5)
    from_numpy = {"user_id": np.str_("alice"), "basket": np.array(["croissant"]), "hour": np.int64(9)}
    assert session.recommend(from_numpy, k=5) == plain
    assert session.recommend({**ALICE, "hour": np.float32(9.0)}, k=5) == plain
    assert np.array_equal(session.score(ALICE, np.array(["latte", "espresso"])), session.score(ALICE, ["latte", "espresso"]))
    assert session.recommend({"user_id": 17, "basket": [np.int64(3)]}, k=3) == \
        session.recommend({"user_id": np.int64(17), "basket": [3]}, k=3)


def test_explanations_add_up(coffee_path):
    model = barista.Model(coffee_path)
    session = barista.Session(model)
    e = session.explain(ALICE, "dark chocolate mocha")
    assert e["score"] == pytest.approx(session.score(ALICE, ["dark chocolate mocha"])[0], abs=1e-6)
    assert e["logit"] == pytest.approx(e["bias"] + e["wide"] + e["learned"] + e["deep"], abs=1e-4)
    assert e["wide"] == pytest.approx(sum(t["model"] for t in e["wide_terms"]), abs=1e-4)
    attributed = sum(e["deep_inputs"].values())
    assert attributed + e["integration_error"] == pytest.approx(e["deep"] - e["deep_baseline"], abs=1e-4)
    assert set(e["deep_inputs"]) == {"basket", "hour", "item_id", "category", "flavors", "price"}
    assert e["wide_terms"][0] == {"term": "user_x_category", "value": "this customer \u00d7 chocolate",
                                  "model": pytest.approx(2.2), "learned": 0.0}
    described = session.explain(ALICE, {"item_id": "pumpkin latte", "category": "coffee", "price": 4.5})
    assert described["score"] == pytest.approx(
        session.score_items(ALICE, [{"item_id": "pumpkin latte", "category": "coffee", "price": 4.5}])[0], abs=1e-6)
    with pytest.raises(barista.Error):
        session.explain(ALICE, "no such drink")
