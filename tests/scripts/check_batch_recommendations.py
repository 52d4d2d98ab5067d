# Checks `barista recommend --all-users` output against the log it read:
# every customer of the log, ranks 1..K with non-increasing scores, no item
# twice, and nothing the customer already had.
import csv
import sys

recs_path, log_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
had = {}
with open(log_path, newline="") as f:
    for row in csv.DictReader(f):
        had.setdefault(row["user"], set()).add(row["item"])
lists = {}
with open(recs_path, newline="") as f:
    reader = csv.reader(f)
    assert next(reader) == ["user", "rank", "item", "score"]
    for user, rank, item, score in reader:
        lists.setdefault(user, []).append((int(rank), item, float(score)))
assert set(lists) == set(had), (len(lists), len(had))
for user, rows in lists.items():
    assert [r for r, _, _ in rows] == list(range(1, k + 1)), (user, rows)
    scores = [s for _, _, s in rows]
    assert scores == sorted(scores, reverse=True), (user, scores)
    items = [i for _, i, _ in rows]
    assert len(set(items)) == k, (user, items)
    assert not set(items) & had[user], (user, set(items) & had[user])
print("ok: %d customers, top-%d each" % (len(lists), k))
