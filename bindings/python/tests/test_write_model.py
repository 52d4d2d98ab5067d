"""write_model and Model.encode without another framework: a hand-made
spec, the ids the encoder computes, and refusals naming the spec's keys."""
import math

import numpy as np
import pytest

import barista

ITEMS = ["latte", "mocha", "tea"]


def spec(**changes):
    s = {
        "name": "hand-made",
        "inputs": [
            {"name": "user_id", "source": "user", "kind": "categorical"},
            {"name": "hour", "source": "context", "kind": "numeric", "default": 12},
            {"name": "item_id", "source": "item", "kind": "categorical"},
            {"name": "price", "source": "item", "kind": "numeric"},
        ],
        "user_id": "user_id",
        "item_id": "item_id",
        "columns": [
            {"name": "user_id", "kind": "hashed", "input": "user_id", "buckets": 50},
            {"name": "hour", "kind": "numeric", "input": "hour", "mean": 12, "stddev": 4},
            {"name": "item_id", "kind": "vocabulary", "input": "item_id", "vocabulary": ITEMS, "oov_buckets": 2},
            {"name": "price", "kind": "numeric", "input": "price", "mean": 3, "stddev": 0.5},
            {"name": "user_x_item", "kind": "crossed", "columns": ["user_id", "item_id"], "buckets": 97},
        ],
        "wide_bias": -1.0,
        "wide": [{"column": "item_id", "weights": np.array([0.5, -0.5, 0.25, 0, 0], np.float32)},
                 {"column": "price", "weights": np.array([0.1], np.float32)}],
        "deep": [{"column": "hour"}, {"column": "item_id", "dim": 2, "embedding": np.arange(10, dtype=np.float32) / 10}],
        "layers": [{"in": 3, "out": 1, "weights": np.array([0.3, 0.2, -0.1], np.float32),
                    "bias": np.array([0.05], np.float32)}],
        "catalog": {"ids": ITEMS, "features": {"price": [3.5, 4.0, 2.5]}},
    }
    s.update(changes)
    return s


def test_a_hand_made_model_scores_what_its_weights_say(tmp_path):
    path = str(tmp_path / "hand.barista")
    barista.write_model(spec(), path)
    model = barista.Model(path, verify=True)
    assert model.item_ids() == ITEMS and model.metadata()["name"] == "hand-made"
    scores = barista.Session(model).score({"user_id": "ann", "hour": 16}, ITEMS)
    emb = (np.arange(10, dtype=np.float32) / 10).reshape(5, 2)
    for index, (item, price) in enumerate(zip(ITEMS, [3.5, 4.0, 2.5])):
        hour = (16 - 12) / 4
        wide = [0.5, -0.5, 0.25][index] + 0.1 * (price - 3) / 0.5
        deep = 0.3 * hour + 0.2 * emb[index][0] - 0.1 * emb[index][1] + 0.05
        expected = 1 / (1 + math.exp(-(-1.0 + wide + deep)))
        assert scores[index] == pytest.approx(expected, abs=1e-6)


def test_encode_gives_the_runtime_s_ids(tmp_path):
    path = str(tmp_path / "hand.barista")
    barista.write_model(spec(), path)
    model = barista.Model(path)
    encoded = model.encode({"user_id": "ann", "hour": 14}, "mocha")
    assert list(encoded["item_id"]) == [1]
    assert encoded["hour"] == pytest.approx(0.5) and encoded["price"] == pytest.approx(2.0)
    assert len(encoded["user_id"]) == 1 and encoded["user_id"][0] < 50
    assert len(encoded["user_x_item"]) == 1 and encoded["user_x_item"][0] < 97
    # The same user always hashes alike; a described item not in the
    # vocabulary takes an out-of-vocabulary id.
    assert list(model.encode({"user_id": "ann"}, "tea")["user_id"]) == list(encoded["user_id"])
    assert model.encode({}, {"item_id": "cocoa", "price": 3})["item_id"][0] in (3, 4)
    assert len(model.encode({}, "tea")["user_id"]) == 0


def test_int8_embeddings(tmp_path):
    f32, int8 = str(tmp_path / "f32.barista"), str(tmp_path / "int8.barista")
    barista.write_model(spec(), f32)
    barista.write_model(spec(), int8, embeddings="int8")
    a = barista.Session(barista.Model(f32)).score({"hour": 9}, ITEMS)
    b = barista.Session(barista.Model(int8)).score({"hour": 9}, ITEMS)
    assert np.max(np.abs(a - b)) < 0.01


@pytest.mark.parametrize("change, where", [
    ({"colour": 1}, "spec.colour"),
    ({"item_id": "sku"}, "spec.item_id"),
    ({"wide": [{"column": "item_id", "weights": np.zeros(4, np.float32)}]}, "wide[0].weights"),
    ({"wide": [{"column": "size", "weights": np.zeros(1, np.float32)}]}, "wide[0].column"),
    ({"wide": [{"column": "price", "weights": np.array([math.nan], np.float32)}]}, "wide[0].weights"),
    ({"deep": [{"column": "item_id", "embedding": np.zeros(10, np.float32)}]}, "deep[0].dim"),
    ({"layers": [{"in": 3, "out": 1, "weights": np.zeros(3, np.float32)}]}, "layers[0]"),
    ({"catalog": {"ids": ITEMS, "features": {"price": [1.0]}}}, "catalog.features.price"),
    ({"columns": [{"name": "x", "kind": "sparse", "input": "hour"}]}, "columns[0].kind"),
])
def test_refusals_name_the_key(tmp_path, change, where):
    with pytest.raises(barista.Error) as failure:
        barista.write_model(spec(**change), str(tmp_path / "bad.barista"))
    assert failure.value.status == "INVALID_ARGUMENT"
    assert where in str(failure.value), str(failure.value)


def test_a_model_the_writer_refuses(tmp_path):
    # Structurally readable, but the first layer does not take the deep width.
    bad = spec(layers=[{"in": 4, "out": 1, "weights": np.zeros(4, np.float32), "bias": np.zeros(1, np.float32)}])
    with pytest.raises(barista.Error):
        barista.write_model(bad, str(tmp_path / "bad.barista"))
