// barista tune CONFIG --space SPACE.json --trials N --out DIR: a
// hyperparameter search over a training configuration (TPE with successive
// halving, trials in parallel processes), selected on validation targets,
// the winner and the given configuration evaluated on test at the end.
// src/offline/tune/tuner.h describes the search; README.md ("Tuning") how
// to use it.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "config/config_edit.h"
#include "platform/file_io.h"
#include "tune/report.h"
#include "tune/selection.h"
#include "tune/tuner.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

struct SeedSummary {
  size_t runs = 0;
  double hr_mean = 0, hr_min = 0, hr_max = 0, ndcg_mean = 0, ndcg_min = 0, ndcg_max = 0;
  double validation_mean = 0;
};

// The final runs of one trial, one per seed (a log that a longer search
// continued can hold those of an earlier best, and the given configuration's
// under two names).
SeedSummary summarize(const std::vector<FinalRecord>& finals, int64_t trial) {
  SeedSummary s;
  std::vector<uint64_t> seeds;
  for (const FinalRecord& f : finals) {
    if (static_cast<int64_t>(f.trial) != trial || std::count(seeds.begin(), seeds.end(), f.seed) > 0) continue;
    seeds.push_back(f.seed);
    if (s.runs == 0) s.hr_min = s.hr_max = f.test_hr, s.ndcg_min = s.ndcg_max = f.test_ndcg;
    ++s.runs;
    s.hr_mean += f.test_hr;
    s.ndcg_mean += f.test_ndcg;
    s.validation_mean += f.validation_hr;
    s.hr_min = std::min(s.hr_min, f.test_hr), s.hr_max = std::max(s.hr_max, f.test_hr);
    s.ndcg_min = std::min(s.ndcg_min, f.test_ndcg), s.ndcg_max = std::max(s.ndcg_max, f.test_ndcg);
  }
  if (s.runs > 0) {
    s.hr_mean /= static_cast<double>(s.runs);
    s.ndcg_mean /= static_cast<double>(s.runs);
    s.validation_mean /= static_cast<double>(s.runs);
  }
  return s;
}

const TrialRecord* find_trial(const TrialLog& log, int64_t number) {
  for (const TrialRecord& r : log.trials) {
    if (static_cast<int64_t>(r.number) == number) return &r;
  }
  return nullptr;
}

}  // namespace

Exit run_tune(const Command& command, int argc, char** argv) {
  Args args(command,
            "Searches the configuration keys a space names for the settings with the best validation HR@10:\n"
            "trial 0 is CONFIG as given, the next ones are random, then TPE proposes; successive halving\n"
            "stops trials that rank low after 1, 3, 9 ... epochs. The test targets are read only at the end,\n"
            "when the best configuration and the given one are trained with several seeds and evaluated\n"
            "beside MostPop, EASE and item-kNN. Rerunning the same command continues an interrupted run.",
            {{"space", "SPACE", "search space (JSON: key path -> uniform, loguniform, int, choice)", Use::Required},
             {"trials", "N", "trials, the given configuration included (default 20)"},
             {"out", "DIR", "trial log, best.json and models (default: tune)"},
             {"parallel", "P", "trials at once, each with cores / P threads (default 1)"},
             {"budget-minutes", "M", "stop the search in time for the final runs to end by M minutes (default: none)"},
             {"seed", "N", "seed of the search (default 1; the training seed is the config's)"},
             {"startup", "N", "random trials before TPE, trial 0 included (default 10)"},
             {"min-epochs", "N", "the first rung of successive halving (default 1)"},
             {"eta", "N", "successive halving keeps the top 1/eta at each rung; 0: off (default 3)"},
             {"confirm", "K", "re-validate the K best trials and the given config on more seeds, choose by the mean (default 3; 0: off)"},
             {"confirm-seeds", "N", "the seeds they get: the config's + 1 ... + N (default 2)"},
             {"final-seeds", "N", "seeds for the final evaluation on test (default 3; 0: no test, no baselines)"},
             {"report", "FILE", "write a self-contained HTML page: the metric against trial and parameters"},
             {"quiet", "", "no progress lines"},
             {"json", "", "machine-readable summary on stdout"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t trials = 0, parallel = 0, seed = 0, startup = 0, min_epochs = 0, eta = 0, final_seeds = 0, confirm = 0,
           confirm_seeds = 0;
  double budget = 0;
  if (!args.get_uint("trials", 20, &trials) || !args.get_uint("parallel", 1, &parallel) ||
      !args.get_uint("seed", 1, &seed) || !args.get_uint("startup", 10, &startup) ||
      !args.get_uint("min-epochs", 1, &min_epochs) || !args.get_uint("eta", 3, &eta) ||
      !args.get_uint("final-seeds", 3, &final_seeds) || !args.get_uint("confirm", 3, &confirm) ||
      !args.get_uint("confirm-seeds", 2, &confirm_seeds) || !args.get_double("budget-minutes", 0, &budget)) {
    return Exit::Usage;
  }
  if (trials < 1 || trials > 100000) return args.usage_error("--trials wants 1 to 100000");
  if (parallel < 1 || parallel > 256) return args.usage_error("--parallel wants 1 to 256");
  if (eta == 1 || eta > 100) return args.usage_error("--eta wants 0 (off) or 2 to 100");
  if (min_epochs < 1 || min_epochs > 10000) return args.usage_error("--min-epochs wants 1 to 10000");
  if (final_seeds > 100) return args.usage_error("--final-seeds wants 0 to 100");
  if (confirm > 1000) return args.usage_error("--confirm wants 0 to 1000");
  if (confirm_seeds > 100) return args.usage_error("--confirm-seeds wants 0 to 100");
  if (budget < 0) return args.usage_error("--budget-minutes wants a non-negative number");

  SearchSpace space;
  Status status = load_search_space(args.get("space"), &space);
  if (!status.ok()) return fail(status.message());
  TuneOptions options;
  options.config_path = args.positional()[0];
  options.out_dir = args.get("out", "tune");
  options.trials = static_cast<uint32_t>(trials);
  options.parallel = static_cast<uint32_t>(parallel);
  options.budget_minutes = budget;
  options.seed = seed;
  options.startup = static_cast<uint32_t>(startup);
  options.min_epochs = static_cast<uint32_t>(min_epochs);
  options.eta = static_cast<uint32_t>(eta);
  options.final_seeds = static_cast<uint32_t>(final_seeds);
  options.confirm = static_cast<uint32_t>(confirm);
  options.confirm_seeds = static_cast<uint32_t>(confirm_seeds);
  options.progress = args.has("quiet") ? nullptr : stderr;
  TuneResult result;
  if (!(status = run_tune(options, space, &result)).ok()) return fail(status.message());

  const TrialLog& log = result.log;
  // Written even when no trial reached a result: the page then says so.
  std::string report_note;
  if (args.has("report")) {
    const std::string path = args.get("report");
    const std::string page = tune_report_html(log, space.all());
    status = replace_file_durably(path, reinterpret_cast<const uint8_t*>(page.data()), page.size());
    if (!status.ok()) return fail(status.message());
    report_note = " and " + path;
  }
  size_t stopped = 0, failed = 0;
  uint64_t epochs = 0;
  for (const TrialRecord& r : log.trials) {
    stopped += r.outcome == TrialRecord::Outcome::Stopped;
    failed += r.outcome == TrialRecord::Outcome::Failed;
    epochs += r.validation_hr.size();
  }
  const TrialRecord* best = find_trial(log, result.best_trial);
  const TrialRecord* base = find_trial(log, 0);
  // The mean validation HR@10 over the confirmation seeds, -1 without them.
  const uint32_t seeds_confirmed = options.confirm > 0 ? options.confirm_seeds : 0;
  auto mean_of = [&](const TrialRecord* t) {
    double mean = -1.0;
    if (t == nullptr || seeds_confirmed == 0 ||
        !mean_objective(log.trials, log.confirms, t->number, seeds_confirmed, &mean)) {
      return -1.0;
    }
    return mean;
  };
  const double best_mean = mean_of(best), base_mean = mean_of(base);
  const SeedSummary best_test = summarize(log.finals, result.best_trial);
  const SeedSummary base_test = summarize(log.finals, 0);

  if (args.has("json")) {
    JsonWriter j;
    j.begin_object().key("run_id").value(log.header.run_id).key("log").value(options.out_dir + "/trials.jsonl");
    j.key("trials").value(static_cast<uint64_t>(log.trials.size())).key("stopped").value(static_cast<uint64_t>(stopped));
    j.key("failed").value(static_cast<uint64_t>(failed)).key("complete").value(result.complete);
    j.key("epochs").value(epochs).key("seconds").value(result.seconds);
    j.key("best");
    if (best != nullptr) {
      j.begin_object().key("trial").value(best->number).key("validation_hr").value(best->objective);
      j.key("validation_hr_mean").value(best_mean).key("validation_seeds").value(
          static_cast<uint64_t>(best_mean >= 0 ? seeds_confirmed + 1 : 1));
      j.key("params").begin_object();
      for (const ParameterValue& v : best->params) j.key(v.key).value(json::display(v.value));
      j.end_object().key("config").value(result.best_config_path).end_object();
    } else {
      j.null();
    }
    j.key("base_validation_hr").value(base != nullptr ? base->objective : -1.0);
    j.key("base_validation_hr_mean").value(base_mean);
    for (const auto& [name, s] : {std::pair{"best_test", best_test}, std::pair{"base_test", base_test}}) {
      j.key(name).begin_object().key("seeds").value(static_cast<uint64_t>(s.runs));
      j.key("hr_mean").value(s.hr_mean).key("hr_min").value(s.hr_min).key("hr_max").value(s.hr_max);
      j.key("ndcg_mean").value(s.ndcg_mean).key("ndcg_min").value(s.ndcg_min).key("ndcg_max").value(s.ndcg_max);
      j.end_object();
    }
    j.key("baselines").begin_array();
    for (const BaselineRecord& b : log.baselines) {
      j.begin_object().key("name").value(b.name).key("hr").value(b.test_hr).key("ndcg").value(b.test_ndcg).end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }

  std::printf("tune run %s: %zu trials (%zu stopped by successive halving, %zu failed), %llu epochs, %.1f min\n",
              log.header.run_id.c_str(), log.trials.size(), stopped, failed, static_cast<unsigned long long>(epochs),
              result.seconds / 60.0);
  if (!result.complete) {
    std::printf("the budget ended the search before every trial ran: rerun the command to continue it\n");
  }
  if (best == nullptr) {
    std::printf("no trial reached a validation result\n");
    return Exit::Failure;
  }
  std::printf("best: trial %u, validation HR@10 %.4f (the given configuration: %.4f)\n", best->number,
              best->objective, base != nullptr ? base->objective : -1.0);
  if (best_mean >= 0) {
    std::printf("  chosen by the mean over %u seeds: %.4f (the given configuration: %.4f)\n", seeds_confirmed + 1,
                best_mean, base_mean);
  }
  for (const ParameterValue& v : best->params) std::printf("  %s = %s\n", v.key.c_str(), json::display(v.value).c_str());
  if (best_test.runs > 0) {
    std::printf("\non the test targets (%zu seeds: mean [min, max])\n", best_test.runs);
    std::printf("%-28s %-26s %-26s\n", "", "HR@10", "NDCG@10");
    auto row = [](const std::string& name, const SeedSummary& s) {
      std::printf("%-28s %.4f [%.4f, %.4f]   %.4f [%.4f, %.4f]\n", name.c_str(), s.hr_mean, s.hr_min, s.hr_max,
                  s.ndcg_mean, s.ndcg_min, s.ndcg_max);
    };
    row("best (trial " + std::to_string(best->number) + ")", best_test);
    if (result.best_trial != 0) row("given (trial 0)", base_test);
    for (const BaselineRecord& b : log.baselines) std::printf("%-28s %.4f                     %.4f\n", b.name.c_str(), b.test_hr, b.test_ndcg);
  }
  std::printf("\nwrote %s, %s/trials.jsonl%s\n", result.best_config_path.c_str(), options.out_dir.c_str(),
              report_note.c_str());
  return Exit::Ok;
}

}  // namespace barista::cli
