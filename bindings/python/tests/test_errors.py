"""Bad input from Python: a Python exception carrying the library's status
and message, never a crash."""
import math

import numpy as np
import pytest

import barista

ALICE = {"user_id": "alice", "basket": ["croissant"], "hour": 9}


@pytest.fixture
def coffee(coffee_path):
    model = barista.Model(coffee_path)
    return model, barista.Session(model)


def test_files_that_are_not_models(tmp_path):
    with pytest.raises(barista.Error) as failure:
        barista.Model(str(tmp_path / "missing.barista"))
    assert failure.value.status == "IO_ERROR" and failure.value.code == 3
    junk = tmp_path / "junk.barista"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(barista.Error) as failure:
        barista.Model(str(junk))
    assert failure.value.status in ("NOT_A_MODEL", "CORRUPT_MODEL")
    assert failure.value.message == str(failure.value) and failure.value.message


def test_a_flipped_byte_is_found_by_verification(coffee_path, tmp_path):
    data = bytearray(open(coffee_path, "rb").read())
    data[len(data) // 2] ^= 0x40
    damaged = tmp_path / "damaged.barista"
    damaged.write_bytes(bytes(data))
    try:
        model = barista.Model(str(damaged))
    except barista.Error:
        return  # refused at open: fine
    with pytest.raises(barista.Error) as failure:
        model.verify()
    assert failure.value.status == "CORRUPT_MODEL"
    with pytest.raises(barista.Error):
        barista.Model(str(damaged), verify=True)


def test_wrong_types_are_type_errors(coffee):
    model, session = coffee
    for bad in (None, 42, "alice", ["alice"]):
        if bad is None:
            assert session.recommend(bad, k=1)  # None: an anonymous request with nothing given
            continue
        with pytest.raises(TypeError):
            session.recommend(bad)
    with pytest.raises(TypeError):
        session.recommend({"hour": "nine"})  # numeric input, str value
    with pytest.raises(TypeError):
        session.recommend({"hour": True})
    with pytest.raises(TypeError):
        session.recommend({"basket": 3.5})  # categorical input, float value
    with pytest.raises(TypeError):
        session.recommend({"user_id": ["a", "b"]})
    with pytest.raises(TypeError):
        session.recommend({1: "x"})
    with pytest.raises(TypeError):
        session.score(ALICE, "latte")  # a str is not a list of ids
    with pytest.raises(TypeError):
        session.score(ALICE, [None])
    with pytest.raises(TypeError):
        session.score_items(ALICE, {"item_id": "latte"})
    with pytest.raises(TypeError):
        barista.Session("path.barista")
    with pytest.raises(ValueError):
        session.recommend(ALICE, precision="fast")
    with pytest.raises(TypeError):
        barista.Overlay(model, None, no_such_option=1)


def test_nan_and_infinite_features(coffee):
    _, session = coffee
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(barista.Error) as failure:
            session.recommend({"user_id": "alice", "hour": value})
        assert failure.value.status == "INVALID_ARGUMENT"
        assert "hour" in failure.value.message


def test_unknown_inputs_items_and_indices(coffee):
    _, session = coffee
    with pytest.raises(barista.Error) as failure:
        session.recommend({"colour": "red"})
    assert failure.value.status == "NOT_FOUND" and "colour" in str(failure.value)
    with pytest.raises(barista.Error) as failure:
        session.score(ALICE, ["latte", "no such drink"])
    assert failure.value.status == "NOT_FOUND" and "no such drink" in str(failure.value)
    with pytest.raises(barista.Error) as failure:
        session.score_indices(ALICE, np.array([0, 22]))
    assert failure.value.status == "INVALID_ARGUMENT"
    with pytest.raises(barista.Error):
        session.score_indices(ALICE, np.array([-1]))
    with pytest.raises(barista.Error):
        session.score_items(ALICE, [{"basket": "croissant"}])  # a request input on an item
    with pytest.raises(barista.Error) as failure:
        session.recommend({"basket": ["x%d" % i for i in range(21)]})  # 20 at most
    assert failure.value.status == "LIMIT_EXCEEDED"


def test_text_that_is_not_utf8(coffee):
    _, session = coffee
    with pytest.raises(UnicodeEncodeError):
        session.recommend({"user_id": "\udcff"})
    # bytes pass through as they are: an unknown customer, not a failure.
    assert len(session.recommend({"user_id": b"\xff\xfe", "basket": [b"\xc3"]}, k=3)) == 3


def test_closed_objects_raise(coffee, tmp_path):
    model, session = coffee
    overlay = barista.Overlay(model, str(tmp_path / "o"))
    session.close()
    with pytest.raises(barista.Error) as failure:
        session.recommend(ALICE)
    assert "closed" in str(failure.value)
    session.close()  # twice is fine
    overlay.close()
    for call in (lambda: overlay.observe(ALICE, "latte"), overlay.sync, overlay.stats):
        with pytest.raises(barista.Error, match="closed"):
            call()
    with pytest.raises(barista.Error, match="closed"):
        barista.Session(model).set_overlay(overlay)
    model.close()
    for call in (model.info, model.item_ids, lambda: barista.Session(model), lambda: barista.Request(model, {})):
        with pytest.raises(barista.Error, match="closed"):
            call()


def test_objects_of_another_model_are_refused(coffee, s_path):
    model, session = coffee
    other = barista.Model(s_path)
    with pytest.raises(barista.Error) as failure:
        session.recommend(barista.Request(other, {"user_id": "u1"}))
    assert failure.value.status == "INVALID_ARGUMENT"
    with pytest.raises(barista.Error) as failure:
        session.set_overlay(barista.Overlay(other))
    assert failure.value.status == "INVALID_ARGUMENT"


def test_an_overlay_file_of_another_model(coffee_path, s_path, tmp_path):
    path = str(tmp_path / "learned")
    with barista.Overlay(barista.Model(coffee_path), path) as overlay:
        overlay.observe(ALICE, "latte")
        overlay.sync()
    with pytest.raises(barista.Error) as failure:
        barista.Overlay(barista.Model(s_path), path)
    assert failure.value.status == "WRONG_MODEL"
