"""recommend_batch: the same lists as one recommend per request, whatever
the thread count."""
import numpy as np
import pandas as pd
import pytest

import barista


def requests_for(n):
    return [{"user_id": "u%d" % i} for i in range(n)]


def test_batch_equals_one_call_per_request(s_path):
    model = barista.Model(s_path)
    session = barista.Session(model)
    requests = requests_for(50)
    frame = barista.recommend_batch(model, requests, k=10, threads=2)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["customer", "rank", "item", "score"]
    assert len(frame) == 500
    for i in (0, 17, 49):
        rows = frame[frame.customer == "u%d" % i].sort_values("rank")
        expected = session.recommend(requests[i], k=10)
        assert list(rows["rank"]) == list(range(1, 11))
        assert list(rows["item"]) == [item for item, _ in expected]
        assert np.array_equal(rows["score"].to_numpy(), np.array([s for _, s in expected], dtype=np.float32))


def test_thread_counts_give_the_same_rows(s_path):
    model = barista.Model(s_path)
    requests = requests_for(37)
    one = barista.recommend_batch(model, requests, k=5, threads=1, as_frame=False)
    for threads in (2, 3, 0):
        other = barista.recommend_batch(model, requests, k=5, threads=threads, as_frame=False)
        for key in ("position", "rank", "item", "score"):
            assert np.array_equal(one[key], other[key]), (threads, key)


def test_exclusions_labels_and_request_objects(s_path):
    model = barista.Model(s_path)
    requests = requests_for(3)
    first = barista.recommend_batch(model, requests, k=3, threads=2)
    top = first[first["rank"] == 1]["item"].tolist()
    excluded = barista.recommend_batch(model, [barista.Request(model, r) for r in requests], k=3, threads=2,
                                       exclude=[[t] for t in top], customers=["a", "b", "c"])
    assert list(excluded.customer.unique()) == ["a", "b", "c"]
    for label, item in zip("abc", top):
        assert item not in excluded[excluded.customer == label]["item"].tolist()


def test_a_bad_request_is_named_and_nothing_returned(s_path):
    model = barista.Model(s_path)
    requests = requests_for(10)
    requests[6] = {"user_id": "u6", "no_such_input": "x"}
    with pytest.raises(barista.Error) as failure:
        barista.recommend_batch(model, requests, k=3, threads=2)
    assert failure.value.status == "NOT_FOUND" and "no_such_input" in str(failure.value)
    with pytest.raises(ValueError):
        barista.recommend_batch(model, requests_for(3), exclude=[[], []])


def test_empty_batch(s_path):
    model = barista.Model(s_path)
    frame = barista.recommend_batch(model, [], k=3)
    assert len(frame) == 0
