"""A wide & deep model trained in PyTorch, served by barista.

1. A feature spec (barista's columns: hashing, vocabularies, buckets,
   crosses) is written once with zero weights, so that Model.encode() can
   compute each training example's ids exactly as the runtime will.
2. PyTorch trains the wide part (one weight per id, summed) and the deep
   part (pooled embeddings and standardized numbers, an MLP) on those ids.
3. barista.write_model() writes the trained weights into a barista file;
   the runtime's probabilities equal PyTorch's forward pass (checked).

    python3 torch_wide_deep.py FOLDER [--epochs N] [--out model.barista]

FOLDER is what `barista synth --out FOLDER` writes (interactions.csv:
user, item, time, hour; items.csv: item, category, flavor, price).
"""
import argparse
import os
import random

import numpy as np
import pandas as pd
import torch

import barista

HISTORY = 5
DIM = 8


def feature_spec(items):
    """The model's structure, without weights: inputs, columns, which
    columns feed the wide and the deep part, the layer sizes, the catalog."""
    ids = [str(i) for i in items["item"]]
    categories = sorted(set(items["category"]))
    price_mean, price_std = float(items["price"].mean()), float(items["price"].std() or 1.0)
    return {
        "name": "torch-wide-deep",
        "description": "trained in PyTorch, written by barista.write_model",
        "inputs": [
            {"name": "user_id", "source": "user", "kind": "categorical"},
            {"name": "history", "source": "user", "kind": "categorical", "max_values": HISTORY},
            {"name": "hour", "source": "context", "kind": "numeric", "default": 13},
            {"name": "item_id", "source": "item", "kind": "categorical"},
            {"name": "category", "source": "item", "kind": "categorical"},
            {"name": "price", "source": "item", "kind": "numeric", "default": price_mean},
        ],
        "user_id": "user_id",
        "item_id": "item_id",
        "columns": [
            {"name": "user_id", "kind": "hashed", "input": "user_id", "buckets": 2000},
            {"name": "history", "kind": "vocabulary", "input": "history", "vocabulary": ids, "oov_buckets": 1},
            {"name": "hour", "kind": "numeric", "input": "hour", "mean": 13, "stddev": 4},
            {"name": "hour_bucket", "kind": "bucketized", "input": "hour", "boundaries": [10, 12, 14, 17]},
            {"name": "item_id", "kind": "vocabulary", "input": "item_id", "vocabulary": ids, "oov_buckets": 1},
            {"name": "category", "kind": "vocabulary", "input": "category", "vocabulary": categories,
             "oov_buckets": 1},
            {"name": "price", "kind": "numeric", "input": "price", "mean": price_mean, "stddev": price_std},
            {"name": "history_x_item", "kind": "crossed", "columns": ["history", "item_id"], "buckets": 20000},
            {"name": "hour_x_category", "kind": "crossed", "columns": ["hour_bucket", "category"], "buckets": 100},
        ],
        # (column, combiner): one weight per id.
        "wide": [("user_id", "sum"), ("item_id", "sum"), ("history_x_item", "mean"), ("hour_x_category", "sum"),
                 ("price", "sum")],
        # (column, combiner, embedding width or 0 for a number); request side first.
        "deep": [("user_id", "sum", DIM), ("history", "mean", DIM), ("hour", "sum", 0), ("item_id", "sum", DIM),
                 ("category", "sum", 4), ("price", "sum", 0)],
        "hidden": [16],
        "catalog": {"ids": ids, "features": {"category": list(items["category"]),
                                             "price": [float(p) for p in items["price"]]}},
    }


def cardinality(column):
    kind = column["kind"]
    if kind == "vocabulary":
        return len(column["vocabulary"]) + column["oov_buckets"]
    if kind == "bucketized":
        return len(column["boundaries"]) + 1
    if kind == "numeric":
        return 1
    return column["buckets"]


def to_barista_spec(spec, weights=None):
    """The spec in write_model's form, with the trained weights (or zeros)."""
    columns = {c["name"]: c for c in spec["columns"]}
    weights = weights or {}
    width = sum(dim if dim else 1 for _, _, dim in spec["deep"])
    sizes = [width] + spec["hidden"] + [1]
    out = {k: spec[k] for k in ("name", "description", "inputs", "user_id", "item_id", "columns", "catalog")}
    out["wide_bias"] = float(weights.get("wide_bias", 0.0))
    out["wide"] = [{"column": c, "combiner": comb,
                    "weights": weights.get("wide:" + c, np.zeros(cardinality(columns[c]), np.float32))}
                   for c, comb in spec["wide"]]
    out["deep"] = []
    for c, comb, dim in spec["deep"]:
        entry = {"column": c, "combiner": comb}
        if dim:
            entry["dim"] = dim
            entry["embedding"] = weights.get("deep:" + c, np.zeros((cardinality(columns[c]), dim), np.float32))
        out["deep"].append(entry)
    out["layers"] = []
    for l, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        out["layers"].append({"in": n_in, "out": n_out, "relu": l + 2 < len(sizes),
                              "weights": weights.get("layer%d.weights" % l, np.zeros((n_in, n_out), np.float32)),
                              "bias": weights.get("layer%d.bias" % l, np.zeros(n_out, np.float32))})
    return out


class WideDeep(torch.nn.Module):
    """The same arithmetic as barista's runtime: bias + wide sums + MLP over
    pooled embeddings and standardized numbers; sigmoid outside."""

    def __init__(self, spec):
        super().__init__()
        columns = {c["name"]: c for c in spec["columns"]}
        self.spec = spec
        self.wide = torch.nn.ModuleDict()
        for c, comb in spec["wide"]:
            if columns[c]["kind"] == "numeric":
                self.wide[c] = torch.nn.Linear(1, 1, bias=False)
            else:
                self.wide[c] = torch.nn.EmbeddingBag(cardinality(columns[c]), 1, mode=comb)
            torch.nn.init.zeros_(self.wide[c].weight)
        self.deep = torch.nn.ModuleDict({c: torch.nn.EmbeddingBag(cardinality(columns[c]), dim, mode=comb)
                                         for c, comb, dim in spec["deep"] if dim})
        for bag in self.deep.values():
            torch.nn.init.normal_(bag.weight, std=0.05)
        width = sum(dim if dim else 1 for _, _, dim in spec["deep"])
        sizes = [width] + spec["hidden"] + [1]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.bias = torch.nn.Parameter(torch.zeros(()))

    def forward(self, batch):
        logit = self.bias.expand(batch["size"]).clone()
        for c, _ in self.spec["wide"]:
            if c in batch["numbers"]:
                logit = logit + self.wide[c](batch["numbers"][c].unsqueeze(1)).squeeze(1)
            else:
                ids, offsets = batch["ids"][c]
                logit = logit + self.wide[c](ids, offsets).squeeze(1)
        parts = []
        for c, _, dim in self.spec["deep"]:
            if dim:
                ids, offsets = batch["ids"][c]
                parts.append(self.deep[c](ids, offsets))
            else:
                parts.append(batch["numbers"][c].unsqueeze(1))
        x = torch.cat(parts, dim=1)
        for l, layer in enumerate(self.layers):
            x = layer(x)
            if l + 1 < len(self.layers):
                x = torch.relu(x)
        return logit + x.squeeze(1)

    def barista_weights(self):
        w = {"wide_bias": self.bias.item()}
        for c, _ in self.spec["wide"]:
            w["wide:" + c] = self.wide[c].weight.detach().reshape(-1).numpy()
        for c, bag in self.deep.items():
            w["deep:" + c] = bag.weight.detach().numpy()
        for l, layer in enumerate(self.layers):
            w["layer%d.weights" % l] = layer.weight.detach().numpy().T  # barista: in x out
            w["layer%d.bias" % l] = layer.bias.detach().numpy()
        return w


def encode_batch(model, examples, spec):
    """Tensors of the ids (EmbeddingBag's flat ids + offsets) and numbers
    barista's encoder computes for (request, item) pairs."""
    columns = {c["name"]: c for c in spec["columns"]}
    used = {c for c, _ in spec["wide"]} | {c for c, _, _ in spec["deep"]}
    ids = {c: ([], [0]) for c in used if columns[c]["kind"] != "numeric"}
    numbers = {c: [] for c in used if columns[c]["kind"] == "numeric"}
    for request, item in examples:
        encoded = model.encode(request, item)
        for c, (flat, offsets) in ids.items():
            flat.extend(int(i) for i in encoded[c])
            offsets.append(len(flat))
        for c, values in numbers.items():
            values.append(encoded[c])
    return {
        "size": len(examples),
        "ids": {c: (torch.tensor(flat, dtype=torch.long), torch.tensor(offsets[:-1], dtype=torch.long))
                for c, (flat, offsets) in ids.items()},
        "numbers": {c: torch.tensor(v, dtype=torch.float32) for c, v in numbers.items()},
    }


def training_examples(interactions, items, negatives=4, seed=1):
    """(request, item, label): each purchase with the history before it,
    plus `negatives` random items not bought then."""
    rng = random.Random(seed)
    catalog = [str(i) for i in items["item"]]
    examples = []
    for user, rows in interactions.sort_values("time", kind="stable").groupby("user", sort=False):
        history = []
        for row in rows.itertuples(index=False):
            request = {"user_id": str(user), "history": history[-HISTORY:] or None, "hour": float(row.hour)}
            examples.append((request, str(row.item), 1.0))
            for _ in range(negatives):
                other = rng.choice(catalog)
                if other != str(row.item):
                    examples.append((request, other, 0.0))
            history = history + [str(row.item)]
    return examples


def train(folder, epochs=2, seed=1, quiet=False):
    """Trains the PyTorch model on the log in `folder`; returns (spec,
    torch model, the encoding model)."""
    torch.manual_seed(seed)
    interactions = pd.read_csv(os.path.join(folder, "interactions.csv"), dtype={"user": str, "item": str})
    items = pd.read_csv(os.path.join(folder, "items.csv"), dtype={"item": str, "category": str})
    spec = feature_spec(items)
    encoder_path = os.path.join(folder, "torch-encoder.barista")
    barista.write_model(to_barista_spec(spec), encoder_path)  # structure only: the ids
    encoder = barista.Model(encoder_path)
    examples = training_examples(interactions, items, seed=seed)
    batch = encode_batch(encoder, [(r, i) for r, i, _ in examples], spec)
    labels = torch.tensor([y for _, _, y in examples])
    net = WideDeep(spec)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    order = list(range(len(examples)))
    size = 256
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(order)
        total = 0.0
        for start in range(0, len(order), size):
            part = order[start:start + size]
            sub = subset(batch, part)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(sub), labels[part])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(part)
        if not quiet:
            print("epoch %d: loss %.4f" % (epoch + 1, total / len(order)))
    return spec, net, encoder


def subset(batch, rows):
    """The examples `rows` of an encoded batch."""
    out = {"size": len(rows), "ids": {}, "numbers": {c: v[rows] for c, v in batch["numbers"].items()}}
    for c, (flat, offsets) in batch["ids"].items():
        ends = torch.cat([offsets[1:], torch.tensor([len(flat)])])
        pieces = [flat[offsets[r]:ends[r]] for r in rows]
        lengths = torch.tensor([len(p) for p in pieces])
        out["ids"][c] = (torch.cat(pieces) if pieces else flat[:0],
                         torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]]))
    return out


def parity(spec, net, encoder, model_path, requests):
    """Largest |barista's probability - PyTorch's| over every catalog item
    for each request."""
    served = barista.Model(model_path)
    session = barista.Session(served)
    items = served.item_ids()
    worst = 0.0
    net.eval()
    with torch.no_grad():
        for request in requests:
            theirs = torch.sigmoid(net(encode_batch(encoder, [(request, i) for i in items], spec))).numpy()
            ours = session.score(request, items)
            worst = max(worst, float(np.max(np.abs(ours - theirs))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", default="torch-wide-deep.barista")
    args = parser.parse_args()
    spec, net, encoder = train(args.folder, args.epochs)
    barista.write_model(to_barista_spec(spec, net.barista_weights()), args.out)
    requests = [{"user_id": "user-%d" % u, "history": ["classic espresso"], "hour": 8 + u % 10} for u in range(20)]
    print("wrote %s; largest |p_barista - p_torch| over %d items x %d requests: %.2e"
          % (args.out, barista.Model(args.out).item_count, len(requests), parity(spec, net, encoder, args.out,
                                                                                 requests)))


if __name__ == "__main__":
    main()
