// Training and evaluation from Python: the library's train and eval jobs
// (jobs/train_job.h), the ones `barista train` and `barista eval` run, with
// the GIL released while they work. Configs arrive as JSON text (the
// package's train() turns dicts, paths and DataFrames into it).
#include <cstdio>

#include <pybind11/stl.h>

#include "bindings.h"
#include "config/json.h"
#include "config/train_config.h"
#include "jobs/train_job.h"

namespace barista::python {

namespace {

using internal::EvalRow;
using internal::Status;

void check(const Status& status) {
  if (!status.ok()) raise(status.code(), status.message());
}

py::list rows_list(const std::vector<EvalRow>& rows, uint32_t k) {
  py::list out;
  for (const EvalRow& row : rows) {
    py::dict d;
    d["name"] = row.name;
    d["users"] = row.metrics.users;
    d["k"] = k;
    d["hr"] = row.metrics.hit_rate;
    d["ndcg"] = row.metrics.ndcg;
    d["auc"] = row.metrics.auc;
    d["logloss"] = row.metrics.logloss;
    out.append(d);
  }
  return out;
}

// {"config": JSON text without comments, "base_dir": the file's folder}:
// the config file as the trainer reads it, for the package to edit.
py::dict load_config(const std::string& path) {
  internal::json::Value value;
  std::string base_dir;
  check(internal::load_train_config_json(path, &value, &base_dir));
  py::dict d;
  d["config"] = internal::json::serialize(value);
  d["base_dir"] = base_dir;
  return d;
}

py::dict train(const std::string& config_text, const std::string& base_dir, const std::string& out,
               std::optional<uint64_t> epochs, std::optional<uint64_t> seed, uint32_t threads,
               const std::string& embeddings, bool evaluate, const std::string& config_file, bool quiet) {
  internal::json::Value config;
  Status status = internal::json::parse(config_text, &config);
  if (!status.ok()) raise(status.code(), "config: " + status.message());
  internal::TrainJobOptions options;
  options.epochs = epochs;
  options.seed = seed;
  options.threads = threads;
  options.embeddings = embeddings;
  options.evaluate = evaluate;
  options.config_file = config_file;
  options.progress = quiet ? nullptr : stderr;
  internal::TrainJobResult result;
  {
    py::gil_scoped_release unlocked;
    status = internal::run_train_job(std::move(config), base_dir, out, options, &result);
  }
  check(status);
  py::dict d;
  d["model"] = out;
  d["interactions"] = result.interactions;
  d["users"] = result.users;
  d["items"] = result.items;
  d["bad_rows"] = result.bad_rows;
  d["epochs"] = result.summary.epochs;
  d["best_epoch"] = result.summary.best_epoch;
  d["validation_hr"] = result.summary.best_validation_hr;
  d["training_seconds"] = result.summary.seconds;
  d["examples_per_second"] = result.summary.examples_per_second;
  d["eval"] = rows_list(result.rows, result.eval_options.k);
  return d;
}

py::dict evaluate(const std::string& config_text, const std::string& base_dir, const std::vector<std::string>& models,
                  uint32_t k, size_t max_users, bool baselines, bool quiet) {
  internal::TrainConfig config;
  Status status = internal::parse_train_config(config_text, base_dir, &config);
  if (!status.ok()) raise(status.code(), "config: " + status.message());
  internal::EvalJobOptions options;
  options.k = k;
  options.max_users = max_users;
  options.baselines = baselines;
  options.progress = quiet ? nullptr : stderr;
  internal::EvalJobResult result;
  {
    py::gil_scoped_release unlocked;
    status = internal::run_eval_job(config, models, options, &result);
  }
  check(status);
  py::dict d;
  d["rows"] = rows_list(result.rows, result.eval_options.k);
  d["notes"] = result.notes;
  return d;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("_load_config", &load_config, py::arg("path"));
  m.def("_train", &train, py::arg("config"), py::arg("base_dir"), py::arg("out"), py::arg("epochs") = py::none(),
        py::arg("seed") = py::none(), py::arg("threads") = 0, py::arg("embeddings") = "", py::arg("evaluate") = false,
        py::arg("config_file") = "", py::arg("quiet") = false);
  m.def("_evaluate", &evaluate, py::arg("config"), py::arg("base_dir"), py::arg("models"), py::arg("k") = 10,
        py::arg("max_users") = 0, py::arg("baselines") = true, py::arg("quiet") = false);
}

}  // namespace barista::python
