// barista bench-learn MODEL: what on-device learning costs, through the
// public C++ API as a host would call it — observe latency and throughput,
// sync (fsync) cost, recovery time, bytes per learned weight, and what an
// attached overlay adds to recommend.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "barista.hpp"
#include "bench_support.h"
#include "cli.h"
#include "commands.h"

namespace barista::cli {

Exit run_bench_learn(const Command& command, int argc, char** argv) {
  Args args(command,
            "Measures on-device learning on MODEL: observe and observe_shown latency (mean,\n"
            "p50, p99) and throughput, sync cost with fsync, recovery on open, bytes per\n"
            "learned weight, and recommend and score with and without an overlay attached.",
            {{"observations", "N", "observe calls timed (default: 20000)"},
             {"customers", "N", "distinct customers (default: 200)"},
             {"shown", "N", "items per observe_shown (default: 10)"},
             {"memory", "BYTES", "the overlay's memory limit (default: 1 MiB)"},
             {"dir", "DIR", "where the overlay files go, on the disk to measure (default: .)"},
             {"json", "", "machine-readable output"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t observations = 0, customer_count = 0, shown_count = 0, memory = 0;
  if (!args.get_uint("observations", 20000, &observations) || !args.get_uint("customers", 200, &customer_count) ||
      !args.get_uint("shown", 10, &shown_count) || !args.get_uint("memory", size_t{1} << 20, &memory)) {
    return Exit::Usage;
  }
  observations = std::max<uint64_t>(observations, 100);
  customer_count = std::max<uint64_t>(customer_count, 1);
  Model model;
  Status status = Model::open(args.positional()[0], &model);
  if (!status) return fail(args.positional()[0] + ": " + status.message());
  const size_t items = model.info().item_count;
  if (items == 0) return fail("the model has no catalog");
  XorShift random{0x9E3779B97F4A7C15ULL};
  std::vector<Request> customers;
  if (!make_customers(model, customer_count, &random, &customers)) return Exit::Failure;
  barista_overlay_params params = barista_overlay_default_params();
  params.memory_limit = memory;

  // 1. observe, in memory.
  Overlay overlay;
  if (!(status = Overlay::open(model, "", &overlay, &params))) return fail(status.message());
  std::vector<double> observe_us;
  observe_us.reserve(observations);
  const auto all_start = Clock::now();
  for (uint64_t i = 0; i < observations; ++i) {
    const Request& customer = customers[random.below(customers.size())];
    const uint32_t item = random.below(items);
    const float label = random.below(5) == 0 ? 1.0f : 0.0f;
    const auto start = Clock::now();
    status = overlay.observe(customer, item, label);
    observe_us.push_back(micros_since(start));
    if (!status) return fail(status.message());
  }
  const double observe_seconds = micros_since(all_start) / 1e6;
  const barista_overlay_stats after_observe = overlay.stats();

  // 2. observe_shown: a list shown, one taken.
  std::vector<double> shown_us;
  std::vector<uint32_t> shown(std::max<uint64_t>(shown_count, 1));
  for (uint64_t i = 0; i < observations / 10; ++i) {
    const Request& customer = customers[random.below(customers.size())];
    for (uint32_t& s : shown) s = random.below(items);
    const auto start = Clock::now();
    status = overlay.observe_shown(customer, shown, shown[random.below(shown.size())]);
    shown_us.push_back(micros_since(start));
    if (!status) return fail(status.message());
  }

  // 3. recommend with and without the overlay (customers with learned weights).
  Session plain, learned;
  if (!(status = Session::create(model, &plain)) || !(status = Session::create(model, &learned)) ||
      !(status = learned.set_overlay(overlay))) {
    return fail(status.message());
  }
  std::vector<double> plain_us, learned_us;
  std::vector<barista_recommendation> top;
  RecommendOptions recommend;
  const size_t recommend_runs = std::min<size_t>(400, std::max<size_t>(50, 2'000'000 / items));
  for (size_t r = 0; r < recommend_runs; ++r) {
    const Request& customer = customers[r % customers.size()];
    auto start = Clock::now();
    if (!(status = plain.recommend(customer, recommend, &top))) return fail(status.message());
    plain_us.push_back(micros_since(start));
    start = Clock::now();
    if (!(status = learned.recommend(customer, recommend, &top))) return fail(status.message());
    learned_us.push_back(micros_since(start));
  }
  // score one catalog item: the per-request part of the overlay (loading the
  // customer's weights) is not spread over a catalog here.
  std::vector<double> plain_score_us, learned_score_us;
  std::vector<float> scores;
  for (size_t r = 0; r < 5000; ++r) {
    const Request& customer = customers[r % customers.size()];
    const uint32_t item[1] = {random.below(items)};
    auto start = Clock::now();
    if (!(status = plain.score(customer, item, &scores))) return fail(status.message());
    plain_score_us.push_back(micros_since(start));
    start = Clock::now();
    if (!(status = learned.score(customer, item, &scores))) return fail(status.message());
    learned_score_us.push_back(micros_since(start));
  }

  // 4. Persistence: sync after every observation, sync after ten, compaction
  // and recovery.
  const std::string dir = args.get("dir", ".");
  const std::string path = dir + "/bench-learn.overlay";
  std::remove(path.c_str());
  std::remove((path + ".journal").c_str());
  std::vector<double> sync_us, sync10_us, compact_us, reopen_us;
  uint64_t journal_updates = 0, journal_bytes = 0;
  {
    Overlay durable;
    if (!(status = Overlay::open(model, path, &durable, &params))) return fail(status.message());
    for (int i = 0; i < 200 && status; ++i) {
      status = durable.observe(customers[random.below(customers.size())], random.below(items), 1.0f);
      const auto start = Clock::now();
      if (status) status = durable.sync();
      sync_us.push_back(micros_since(start));
    }
    for (int i = 0; i < 100 && status; ++i) {
      for (int j = 0; j < 10 && status; ++j) {
        status = durable.observe(customers[random.below(customers.size())], random.below(items), 0.0f);
      }
      const auto start = Clock::now();
      if (status) status = durable.sync();
      sync10_us.push_back(micros_since(start));
    }
    if (!status) return fail(status.message());
    // Journal bytes per weight update, before a compaction resets it.
    const uint64_t updates_before = durable.stats().updates;
    const uint64_t journal_before = durable.stats().journal_bytes;
    for (int i = 0; i < 200 && status; ++i) {
      status = durable.observe(customers[random.below(customers.size())], random.below(items), 1.0f);
    }
    const barista_overlay_stats pending = durable.stats();
    journal_updates = pending.updates - updates_before;
    journal_bytes = pending.unsynced_bytes + pending.journal_bytes - journal_before;
    // Fill the store to capacity, then time compactions and reopening.
    while (status && durable.stats().learned_weights + 64 < durable.stats().capacity) {
      status = durable.observe(customers[random.below(customers.size())], random.below(items), 1.0f);
    }
    for (int i = 0; i < 5 && status; ++i) {
      const auto start = Clock::now();
      status = durable.compact();
      compact_us.push_back(micros_since(start));
    }
    if (!status) return fail(status.message());
  }
  barista_overlay_stats full{};
  for (int i = 0; i < 5; ++i) {
    Overlay reopened;
    const auto start = Clock::now();
    if (!(status = Overlay::open(model, path, &reopened, &params))) return fail(status.message());
    reopen_us.push_back(micros_since(start));
    full = reopened.stats();
  }
  std::remove(path.c_str());
  std::remove((path + ".journal").c_str());

  const Summary observe = summarize(observe_us), shown_summary = summarize(shown_us);
  const Summary plain_summary = summarize(plain_us), learned_summary = summarize(learned_us);
  const Summary plain_score = summarize(plain_score_us), learned_score = summarize(learned_score_us);
  const Summary sync = summarize(sync_us), sync10 = summarize(sync10_us), compact = summarize(compact_us);
  const Summary reopen = summarize(reopen_us);
  const double updates_per_observe = static_cast<double>(after_observe.updates) / static_cast<double>(observations);
  const double memory_per_weight = static_cast<double>(after_observe.memory_bytes) /
                                   static_cast<double>(std::max<size_t>(1, after_observe.capacity));
  const double snapshot_per_weight =
      full.learned_weights ? static_cast<double>(full.snapshot_bytes - 56) / static_cast<double>(full.learned_weights)
                           : 0.0;
  const double journal_per_update =
      journal_updates ? static_cast<double>(journal_bytes) / static_cast<double>(journal_updates) : 0.0;
  const barista_model_info info = model.info();

  if (args.has("json")) {
    JsonWriter j;
    auto put = [&](const char* name, const Summary& s) {
      j.key(name).begin_object().key("mean_us").value(s.mean).key("p50_us").value(s.p50).key("p99_us").value(s.p99);
      j.end_object();
    };
    j.begin_object().key("model").value(args.positional()[0]).key("kernels").value(info.kernels);
    j.key("items").value(static_cast<uint64_t>(items)).key("observations").value(observations);
    put("observe", observe);
    j.key("observations_per_second").value(static_cast<double>(observations) / observe_seconds);
    j.key("updates_per_observe").value(updates_per_observe);
    j.key("updates_per_second").value(static_cast<double>(after_observe.updates) / observe_seconds);
    put("observe_shown", shown_summary);
    put("recommend_plain", plain_summary);
    put("recommend_with_overlay", learned_summary);
    put("score_one_plain", plain_score);
    put("score_one_with_overlay", learned_score);
    put("sync_after_1", sync);
    put("sync_after_10", sync10);
    put("compact_full", compact);
    put("reopen_full", reopen);
    j.key("memory_bytes_per_weight").value(memory_per_weight);
    j.key("snapshot_bytes_per_weight").value(snapshot_per_weight);
    j.key("journal_bytes_per_update").value(journal_per_update);
    j.key("full_weights").value(static_cast<uint64_t>(full.learned_weights));
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  std::printf("on-device learning on %s (%zu items, %s kernels), %llu observations over %llu customers\n\n",
              args.positional()[0].c_str(), items, info.kernels, static_cast<unsigned long long>(observations),
              static_cast<unsigned long long>(customer_count));
  std::printf("%-40s %10s %10s %10s\n", "", "mean us", "p50 us", "p99 us");
  auto row = [](const char* name, const Summary& s) {
    std::printf("%-40s %10.2f %10.2f %10.2f\n", name, s.mean, s.p50, s.p99);
  };
  row("observe (one item)", observe);
  row(("observe_shown (" + std::to_string(shown.size()) + " shown, 1 taken)").c_str(), shown_summary);
  row("recommend top-10, no overlay", plain_summary);
  row("recommend top-10, overlay attached", learned_summary);
  row("score one item, no overlay", plain_score);
  row("score one item, overlay attached", learned_score);
  row("sync after each observation (fsync)", sync);
  row("sync after ten observations", sync10);
  row(("compact (" + std::to_string(full.learned_weights) + " weights)").c_str(), compact);
  row("open + recover (snapshot + journal)", reopen);
  std::printf("\nthroughput: %.0f observations/s, %.0f weight updates/s (%.1f learnable weights per observation)\n",
              static_cast<double>(observations) / observe_seconds,
              static_cast<double>(after_observe.updates) / observe_seconds, updates_per_observe);
  std::printf(
      "bytes per learned weight: %.0f in memory (%zu weights in %zu bytes), %.0f in the snapshot; "
      "%.1f journal bytes per update\n",
      memory_per_weight, after_observe.capacity, after_observe.memory_bytes, snapshot_per_weight, journal_per_update);
  auto cost = [](const Summary& without, const Summary& with) {
    return without.p50 > 0 ? 100.0 * (with.p50 / without.p50 - 1.0) : 0.0;
  };
  std::printf("overlay cost (p50): recommend %+.1f%%, score one item %+.1f%%\n", cost(plain_summary, learned_summary),
              cost(plain_score, learned_score));
  return Exit::Ok;
}

}  // namespace barista::cli
