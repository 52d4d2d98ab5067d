"""The Python side of the bindings' benchmarks (overhead.sh).

python_bench.py recommend MODEL [CALLS] [ROUNDS]: recommend top-10 per
call, the request given as a dict for customers u0 .. u999 in turn (as
recommend_loop does through the C API); the median and minimum
microseconds per call as JSON.

python_bench.py batch MODEL CUSTOMERS THREADS [ROUNDS]: recommend_batch
over CUSTOMERS requests on THREADS threads; the median customers per second.
"""
import json
import statistics
import sys
import time

import barista


def recommend(model_path, calls=2000, rounds=5):
    model = barista.Model(model_path)
    session = barista.Session(model)
    requests = [{"user_id": "u%d" % (i % 1000)} for i in range(calls)]
    checksum = 0
    per_call = []
    for r in range(-1, rounds):  # round -1 warms up
        t0 = time.perf_counter()
        for request in requests:
            checksum += len(session.recommend(request, k=10))
        if r >= 0:
            per_call.append((time.perf_counter() - t0) * 1e6 / calls)
    per_call.sort()
    print(json.dumps({"binding": "python", "us_per_call_median": round(per_call[rounds // 2], 3),
                      "us_per_call_min": round(per_call[0], 3), "checksum": checksum}))


def batch(model_path, customers, threads, rounds=3):
    model = barista.Model(model_path)
    requests = [{"user_id": "u%d" % i} for i in range(customers)]
    rates = []
    for r in range(-1, rounds):
        t0 = time.perf_counter()
        frame = barista.recommend_batch(model, requests, k=10, threads=threads, as_frame=False)
        if r >= 0:
            rates.append(customers / (time.perf_counter() - t0))
        assert len(frame["item"]) == customers * 10
    print(json.dumps({"binding": "python", "threads": threads, "customers": customers,
                      "customers_per_second_median": round(statistics.median(rates), 1)}))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "recommend":
        recommend(sys.argv[2], *map(int, sys.argv[3:5]))
    elif len(sys.argv) >= 5 and sys.argv[1] == "batch":
        batch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *map(int, sys.argv[5:6]))
    else:
        sys.exit(__doc__)
