// barista runs PATH...: trained models and the trials of tuning runs side by
// side, one row each, showing only the configuration keys whose values
// differ between them, then their metrics (tune/run_table.h).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "commands.h"
#include "tune/run_table.h"
#include "tune/trial_log.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The models (*.barista) and trial logs (*.jsonl) in a folder, by name.
Status scan_folder(const std::string& folder, std::vector<std::string>* out) {
  std::error_code error;
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(error) && (ends_with(name, ".barista") || ends_with(name, ".jsonl"))) {
      found.push_back((folder.empty() || folder.back() == '/' ? folder : folder + "/") + name);
    }
  }
  if (error) {
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot list '%s': %s", folder.c_str(), error.message().c_str());
  }
  if (found.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "'%s' holds no models (*.barista) or trial logs (*.jsonl)",
                      folder.c_str());
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return Status();
}

// The rows of one file: a trial log by its name, else a model.
Status read_rows(const std::string& path, std::vector<RunRow>* rows) {
  if (ends_with(path, ".jsonl")) {
    TrialLog log;
    BARISTA_RETURN_IF_ERROR(read_trial_log(path, &log));
    for (const std::string& problem : log.problems) std::fprintf(stderr, "warning: %s\n", problem.c_str());
    if (!log.has_header) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: not a trial log of barista tune (no \"tune\" header)",
                        path.c_str());
    }
    std::vector<std::string> problems;
    log_rows(path, log, rows, &problems);
    for (const std::string& problem : problems) std::fprintf(stderr, "warning: %s\n", problem.c_str());
    return Status();
  }
  RunRow row;
  const Status s = model_row(path, &row);
  if (!s.ok()) return Status(s.code(), s.message() + " (neither a model nor a trial log, *.jsonl)");
  rows->push_back(std::move(row));
  return Status();
}

}  // namespace

Exit run_runs(const Command& command, int argc, char** argv) {
  Args args(command,
            "Compares trained models (*.barista) and the trials of `barista tune` runs (trial logs,\n"
            "*.jsonl; a folder is searched for both, not its subfolders). One row per model, trial\n"
            "and retrained final; the columns are the configuration keys whose values differ\n"
            "between the rows (\"-\": not set, the default), then the metrics. Sorted by\n"
            "validation_hr@10, best first, unless --sort names another column.",
            {{"sort", "KEY", "the column to sort by: run, outcome, data, a config key or a metric"},
             {"desc", "", "sort descending (the default for metrics)"},
             {"asc", "", "sort ascending (the default for other columns)"},
             {"json", "", "machine-readable output: every row with its whole configuration"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  if (args.has("desc") && args.has("asc")) return args.usage_error("give --desc or --asc, not both");

  std::vector<std::string> files;
  for (const std::string& path : args.positional()) {
    struct stat info;
    if (::stat(path.c_str(), &info) != 0) return fail("cannot read '" + path + "': " + std::strerror(errno));
    Status s = S_ISDIR(info.st_mode) ? scan_folder(path, &files) : Status();
    if (!s.ok()) return fail(s.message());
    if (!S_ISDIR(info.st_mode)) files.push_back(path);
  }
  std::vector<RunRow> rows;
  for (const std::string& file : files) {
    const Status s = read_rows(file, &rows);
    if (!s.ok()) return fail(s.message());
  }

  const std::vector<std::string> keys = differing_keys(rows);
  const std::vector<std::string> metrics = metric_names(rows);
  const bool tuned = std::any_of(rows.begin(), rows.end(), [](const RunRow& r) { return r.kind != "model"; });
  const bool data_differs = std::any_of(
      rows.begin(), rows.end(), [&](const RunRow& r) { return r.data_fingerprint != rows[0].data_fingerprint; });
  std::vector<std::string> columns = {"run"};
  if (tuned) columns.push_back("outcome");
  if (data_differs) columns.push_back("data");
  columns.insert(columns.end(), keys.begin(), keys.end());
  columns.insert(columns.end(), metrics.begin(), metrics.end());

  const auto is_metric = [&](const std::string& c) {
    return std::find(metrics.begin(), metrics.end(), c) != metrics.end();
  };
  std::string sort = args.get("sort");
  if (!sort.empty()) {
    // Any key of any row, not only the shown ones.
    std::vector<std::string> known = {"run", "outcome", "data"};
    for (const RunRow& r : rows) {
      for (const auto& entry : r.config) known.push_back(entry.first);
    }
    known.insert(known.end(), metrics.begin(), metrics.end());
    if (std::find(known.begin(), known.end(), sort) == known.end()) {
      const std::string guess = closest(sort, known);
      return args.usage_error("--sort: no column '" + sort + "'" +
                              (guess.empty() ? "" : " (did you mean " + guess + "?)"));
    }
  } else if (is_metric("validation_hr@10")) {
    sort = "validation_hr@10";
  }
  if (!sort.empty()) {
    const bool descending = args.has("desc") || (!args.has("asc") && is_metric(sort));
    sort_rows(sort, descending, &rows);
  }

  if (args.has("json")) {
    JsonWriter j;
    j.begin_array();
    for (const RunRow& r : rows) {
      j.begin_object().key("run").value(r.run).key("kind").value(r.kind);
      if (!r.outcome.empty()) j.key("outcome").value(r.outcome);
      j.key("data_fingerprint").value(r.data_fingerprint).key("config").begin_object();
      for (const auto& [key, value] : r.config) j.key(key).value(value);
      j.end_object().key("metrics").begin_object();
      for (const auto& [name, value] : r.metrics) j.key(name).value(value);
      j.end_object().end_object();
    }
    j.end_array();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }

  std::vector<std::vector<std::string>> table = {columns};
  for (const RunRow& r : rows) {
    std::vector<std::string> line;
    for (const std::string& c : columns) {
      const Cell value = cell(r, c);
      line.push_back(value.present ? value.text : "-");
    }
    table.push_back(std::move(line));
  }
  std::vector<size_t> widths(columns.size(), 0);
  for (const auto& line : table) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  for (const auto& line : table) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 2, ' ');
    }
    std::printf("%s\n", text.c_str());
  }
  return Exit::Ok;
}

}  // namespace barista::cli
