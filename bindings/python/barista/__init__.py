"""barista, an embedded wide & deep recommender, from Python.

Serving (the C library, through the compiled module _barista)::

    import barista
    model = barista.Model("menu.barista")
    session = barista.Session(model)
    session.recommend({"user_id": "alice", "basket": ["croissant"], "hour": 9}, k=5)
    # [('latte', 0.83), ...]

Training and evaluation (the library's trainer, as `barista train` and
`barista eval` run it)::

    summary = barista.train("config.json", out="model.barista", evaluate=True)
    barista.evaluate("config.json", models=["model.barista"])

Recommendations for many customers on several threads, as a DataFrame::

    barista.recommend_batch(model, requests, k=10, threads=2)

A model trained elsewhere (PyTorch, TensorFlow) becomes a barista file
with write_model(spec, out=...), its columns computing the ids that
Model.encode(request, item) shows.

Every failure the library reports is raised as barista.Error, with the
status name (``e.status == "NOT_FOUND"``), its number (``e.code``) and the
library's message.
"""

import json as _json
import os as _os
import tempfile as _tempfile

from ._barista import Error, Item, Model, Overlay, Request, Session, __version__
from . import _barista

__all__ = [
    "Error",
    "Item",
    "Model",
    "Overlay",
    "Request",
    "Session",
    "evaluate",
    "recommend_batch",
    "train",
    "write_model",
    "__version__",
]

def _config_text(config, tables, folder):
    """The config as JSON text plus the folder its relative paths start from.

    `config` is a path to a config file (comments allowed, as for `barista
    train`) or a dict; DataFrames in `tables` are written to CSV files in
    `folder` and the config's data.<table>.path pointed at them."""
    if isinstance(config, dict):
        document, base_dir, config_file = config, _os.getcwd(), ""
    elif isinstance(config, (str, bytes, _os.PathLike)):
        path = _os.fsdecode(config)
        loaded = _barista._load_config(path)
        document, base_dir, config_file = _json.loads(loaded["config"]), loaded["base_dir"], path
    else:
        raise TypeError("config is a path to a config file or a dict, not %s" % type(config).__name__)
    given = {name: frame for name, frame in tables.items() if frame is not None}
    if given:
        document = _json.loads(_json.dumps(document))  # the caller's dict stays as it was
        data = document.setdefault("data", {})
        for name, frame in given.items():
            if isinstance(frame, (str, bytes, _os.PathLike)):
                path = _os.path.abspath(_os.fsdecode(frame))
            elif hasattr(frame, "to_csv"):
                path = _os.path.join(folder, name + ".csv")
                frame.to_csv(path, index=False)
            else:
                raise TypeError("%s is a pandas DataFrame or a CSV path, not %s" % (name, type(frame).__name__))
            section = data.get(name)
            if section is None:
                raise ValueError(
                    "the config has no data.%s section: it names the table's columns (README: the config), "
                    "so %s= needs one" % (name, name))
            section["path"] = path
    return _json.dumps(document), base_dir, config_file


def train(config, out, *, interactions=None, items=None, users=None, epochs=None, seed=None, threads=None,
          embeddings=None, evaluate=False, quiet=False):
    """Trains the model a config describes and writes it to `out`.

    config: a config file's path, or the config as a dict (its relative
    paths start from the working directory). interactions, items, users:
    pandas DataFrames (or CSV paths) that replace the config's tables; their
    columns are the ones the config names. epochs, seed: override the
    config's (and are recorded in the model); threads: the trainer's thread
    count. embeddings: "f32", "f16" or "int8". evaluate: rank each user's
    held-out interaction afterwards, beside MostPop (as `barista train
    --eval`). Progress goes to stderr unless quiet.

    Returns a dict: the data's size, epochs, best epoch, best validation
    HR@10, training time, throughput, and with evaluate the rows of the
    evaluation (name, users, k, hr, ndcg, auc, logloss)."""
    with _tempfile.TemporaryDirectory(prefix="barista-") as folder:
        text, base_dir, config_file = _config_text(
            config, {"interactions": interactions, "items": items, "users": users}, folder)
        return _barista._train(text, base_dir, _os.fsdecode(out), epochs=epochs, seed=seed, threads=threads or 0,
                               embeddings=embeddings or "", evaluate=evaluate, config_file=config_file, quiet=quiet)


def evaluate(config, models=(), *, interactions=None, items=None, users=None, k=10, max_users=0, baselines=True,
             quiet=False):
    """The leave-last-out evaluation of `barista eval`: MostPop, EASE and
    item-kNN (their settings chosen on validation targets; baselines=False
    leaves the last two out) and each model file, on the config's held-out
    targets. Returns {"rows": [{"name", "users", "k", "hr", "ndcg", "auc",
    "logloss"}, ...], "notes": [...]}."""
    if isinstance(models, (str, bytes, _os.PathLike)):
        models = [models]
    with _tempfile.TemporaryDirectory(prefix="barista-") as folder:
        text, base_dir, _ = _config_text(config, {"interactions": interactions, "items": items, "users": users},
                                         folder)
        return _barista._evaluate(text, base_dir, [_os.fsdecode(m) for m in models], k=k, max_users=max_users,
                                  baselines=baselines, quiet=quiet)


def recommend_batch(model, requests, k=10, *, threads=0, exclude=None, precision="exact", customers=None,
                    as_frame=True):
    """The top k of many requests, ranked on `threads` threads (0: every
    core) with the GIL released.

    requests: a list of request dicts (or Request objects); exclude: None or
    one list of item ids per request; customers: a label per request for the
    result's customer column (default: each request's user id, else its
    position). Returns a pandas DataFrame with columns customer, rank (1 is
    best), item (the item id) and score, requests in order; as_frame=False
    returns a dict of numpy arrays (position, rank, item index, score)
    instead."""
    requests = list(requests)
    position, rank, item, score = _barista._recommend_batch(model, requests, k=k, threads=threads, exclude=exclude,
                                                            precision=precision)
    if not as_frame:
        return {"position": position, "rank": rank, "item": item, "score": score}
    import numpy as np
    import pandas as pd

    ids = np.asarray(model.item_ids(), dtype=object)
    if customers is None:
        user = model.user_input
        customers = [r.get(user, i) if isinstance(r, dict) else i for i, r in enumerate(requests)]
    elif len(customers) != len(requests):
        raise ValueError("customers has %d labels for %d requests" % (len(customers), len(requests)))
    labels = np.asarray(customers, dtype=object)
    return pd.DataFrame({"customer": labels[position], "rank": rank, "item": ids[item], "score": score})


def write_model(spec, out, arrays=None, *, embeddings="f32"):
    """Writes a barista model file from a feature spec and weights trained
    anywhere, through barista's own writer (int8 or f16 embeddings with
    embeddings="int8"/"f16", per-item precompute, checksum).

    spec is a dict (README: Python, "Models from other frameworks"):
    name, version, description; inputs [{name, source: user|context|item,
    kind: categorical|numeric, max_values, default}]; user_id and item_id
    (input names); columns [{name, kind: hashed|vocabulary|numeric|
    bucketized|crossed, input, buckets | vocabulary + oov_buckets |
    mean + stddev | boundaries | columns (crossed), position}]; wide_bias;
    wide [{column, combiner: sum|mean|sqrtn, learnable, weights}]; deep
    [{column, combiner, dim, embedding}] (request-side inputs first);
    layers [{in, out, weights (in x out), bias, relu}] (the last: out 1, no
    ReLU); catalog {ids, features: {input: one value (or list) per item}}.
    Weights are numpy arrays (or CPU tensors) placed in the spec, or
    {"array": KEY} naming an entry of `arrays`. Errors name the spec's key
    path; the written file is then opened and fully verified."""
    import numpy as np

    collected = {}
    for key, value in (arrays or {}).items():
        collected[key] = _float_array(value)

    def walk(value, path):
        if isinstance(value, dict):
            return {k: walk(v, path + "." + str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
        if hasattr(value, "detach"):  # a torch tensor
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "fiub" and path.split(".")[-1] in _WEIGHT_KEYS:
                key = "@" + path
                collected[key] = _float_array(value)
                return {"array": key}
            return walk(value.tolist(), path)
        if isinstance(value, np.generic):
            return value.item()
        return value

    text = _json.dumps(walk(spec, "spec"))
    _barista._write_model(text, collected, _os.fsdecode(out), embeddings=embeddings)
    Model(_os.fsdecode(out), verify=True).close()


# The spec keys whose values are weight arrays (others, like a vocabulary
# given as an array, are lists).
_WEIGHT_KEYS = ("weights", "bias", "embedding")


def _float_array(value):
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.ascontiguousarray(np.asarray(value, dtype=np.float32)).reshape(-1)
