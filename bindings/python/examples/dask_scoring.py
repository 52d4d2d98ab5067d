"""Every customer's top-k, scored on a Dask cluster.

The customers (a Dask DataFrame: one row per customer with their id, their
history and what to exclude) are split into partitions; each partition is
scored by barista.recommend_batch in whichever worker process holds it, and
each worker opens the model file once (a per-process cache), not once per
partition. The same code runs on a LocalCluster of worker processes and on
a real cluster (dask-scheduler / dask-worker, Kubernetes, YARN): the model
file must be readable at the same path on every worker (a shared file
system, or copied beside each worker).

The same pattern serves Spark: `customers.mapInPandas(score_frame, schema)`
with score_frame calling barista.recommend_batch per pandas batch.

    python3 dask_scoring.py MODEL INTERACTIONS.csv [--users USERS.csv] [--workers N] [--out recs.csv]

INTERACTIONS.csv needs columns user, item and time (the names barista synth
writes; --user-column and friends change them); USERS.csv adds the user
features the model reads (by column name = input name).
"""
import argparse
import os
import time

import barista

_MODELS = {}  # per worker process: path -> barista.Model


def open_model(path):
    """The model at path, opened once per process."""
    model = _MODELS.get(path)
    if model is None:
        model = _MODELS[path] = barista.Model(path)
    return model


def customers_from_log(interactions, model, users=None, user="user", item="item", time_column="time"):
    """One row per customer: id, their last items (oldest first, as many as
    the model's history input holds) and everything they had (excluded).
    `interactions` and `users` are pandas DataFrames."""
    import pandas as pd

    inputs = {i["name"]: i for i in model.inputs()}
    length = inputs["history"]["max_values"] if "history" in inputs else 0
    ordered = interactions.sort_values(time_column, kind="stable")
    grouped = ordered.groupby(user, sort=False)[item]
    frame = pd.DataFrame({
        "user": grouped.apply(lambda s: s.name),
        "history": grouped.apply(lambda s: [str(v) for v in s.tolist()[-length:]] if length else []),
        "had": grouped.apply(lambda s: sorted({str(v) for v in s})),
    }).reset_index(drop=True)
    if users is not None:
        features = [c for c in users.columns if c != user and c in inputs and inputs[c]["source"] == "user"]
        frame = frame.merge(users[[user] + features], left_on="user", right_on=user, how="left")
        if user != "user":
            frame = frame.drop(columns=[user])
    return frame


def score_frame(frame, model_path, k=10, threads=1):
    """Scores one partition (a pandas DataFrame from customers_from_log):
    returns customer, rank, item, score."""
    model = open_model(model_path)
    known = set(model.item_ids())
    features = [c for c in frame.columns if c not in ("user", "history", "had")]
    requests, exclude = [], []
    for row in frame.itertuples(index=False):
        request = {model.user_input: row.user, "history": [i for i in row.history if i in known] or None}
        for name in features:
            value = getattr(row, name)
            if value == value and value is not None:  # not NaN
                request[name] = value
        requests.append(request)
        exclude.append([i for i in row.had if i in known])
    return barista.recommend_batch(model, requests, k=k, threads=threads, exclude=exclude,
                                   customers=list(frame["user"]))


def recommend_all(customers, model_path, k=10, threads=1):
    """Lazily scores a Dask DataFrame of customers: one task per partition."""
    import pandas as pd

    meta = pd.DataFrame({"customer": pd.Series(dtype=object), "rank": pd.Series(dtype="int32"),
                         "item": pd.Series(dtype=object), "score": pd.Series(dtype="float32")})
    return customers.map_partitions(score_frame, model_path, k, threads, meta=meta)


def main():
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("interactions")
    parser.add_argument("--users")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=0, help="default: 4 per worker")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out")
    args = parser.parse_args()

    model_path = os.path.abspath(args.model)
    model = barista.Model(model_path)
    users = pd.read_csv(args.users, dtype=str) if args.users else None
    customers = customers_from_log(pd.read_csv(args.interactions, dtype={"user": str, "item": str}), model, users)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        frame = dd.from_pandas(customers, npartitions=args.partitions or 4 * args.workers)
        t0 = time.perf_counter()
        result = recommend_all(frame, model_path, k=args.k).compute()
        seconds = time.perf_counter() - t0
    print("%d customers on %d workers in %.2f s: %.0f customers/s" % (len(customers), args.workers, seconds,
                                                                       len(customers) / seconds))
    if args.out:
        result.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
