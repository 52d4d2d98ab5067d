#include "tune/tuner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

#include "barista.h"
#include "config/config_edit.h"
#include "config/train_config.h"
#include "data/dataset.h"
#include "eval/baselines.h"
#include "eval/evaluate.h"
#include "hash/fingerprint.h"
#include "platform/file_io.h"
#include "train/lineage.h"
#include "train/size_estimate.h"
#include "train/trainer.h"
#include "tune/asha.h"
#include "tune/selection.h"
#include "tune/tpe.h"
#include "writer/model_writer.h"

namespace barista::internal {

namespace {

using Clock = std::chrono::steady_clock;

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

std::string hex64(uint64_t v) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

Status make_directory(const std::string& path) {
  if (mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status();
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s is not a folder", path.c_str());
  }
  return make_error(BARISTA_STATUS_IO_ERROR, "cannot create %s: %s", path.c_str(), std::strerror(errno));
}

// The search reads validation HR@10 after every epoch: a configuration
// without early stopping is run with patience = epochs (validate every
// epoch, keep the best, never stop early).
Status with_validation(const json::Value& config, const std::string& base_dir, json::Value* out) {
  TrainConfig parsed;
  BARISTA_RETURN_IF_ERROR(parse_train_config(config, base_dir, &parsed));
  if (parsed.training.holdout == TrainingConfig::Holdout::None) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "training.holdout is \"none\": tuning needs validation targets (\"last\" or \"last_new\")");
  }
  *out = config;
  if (parsed.training.patience == 0) {
    BARISTA_RETURN_IF_ERROR(json::set_path(out, "training.patience", json::number(parsed.training.epochs)));
  }
  return Status();
}

// ---------------------------------------------------------------- children

// What a child process does: train one configuration (reporting epochs and
// waiting at rungs: a trial; or on another seed: a confirmation run),
// evaluate one on the test targets (a final run), or evaluate the
// baselines on them.
struct Job {
  uint32_t trial = 0;
  std::string role;  // "trial", "confirm", "best", "base", "baselines"
  json::Value config;
  std::vector<uint32_t> rungs;
  unsigned threads = 1;
  std::string model_path;     // write the trained model here (empty: do not keep it)
  std::string existing_model; // final: evaluate this file instead of training
  bool evaluate_test = false;
  // Trials hold out validation targets; final runs split the data as
  // `barista train` does (validation targets only with early stopping).
  bool validation_split = true;
  std::string run_id;
};

// The parent's loaded data, shared with children (copy-on-write after
// fork) when a trial's data and features are the base configuration's.
struct Shared {
  const Dataset* data = nullptr;
  std::string data_json;  // serialized "data" and "features" of the base
  std::string base_dir;
  std::string config_file;  // the tuned configuration's path, as given
};

std::string data_key(const json::Value& config) {
  const json::Value* data = json::find_path(config, "data");
  const json::Value* features = json::find_path(config, "features");
  return (data ? json::serialize(*data) : "") + "|" + (features ? json::serialize(*features) : "");
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);  // the parent is gone
    done += static_cast<size_t>(n);
  }
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

[[noreturn]] void child_fail(int out, const std::string& message) {
  write_all(out, "error " + one_line(message) + "\n");
  _exit(1);
}

// MostPop, EASE and item-kNN on the test targets of `config`'s split, their
// settings chosen on its validation targets (as `barista eval` does).
std::vector<BaselineRecord> compute_baselines(const Dataset& data, const TrainConfig& config, unsigned threads) {
  const Split test = make_split(data, config.training.holdout, false);
  const Split validation = make_split(data, config.training.holdout, true);
  EvalOptions options;
  options.seed = config.training.seed;
  options.threads = threads;
  options.negatives = std::max(1u, config.training.negatives);
  std::vector<BaselineRecord> rows;
  const EvalMetrics popular = evaluate_most_popular(data, test, test.test, options);
  rows.push_back({"MostPop", popular.hit_rate, popular.ndcg});
  const BaselineResult ease = select_ease(data, validation, test, kDefaultEaseLambdas, options);
  if (ease.error.empty()) rows.push_back({ease.name, ease.metrics.hit_rate, ease.metrics.ndcg});
  const BaselineResult knn = select_item_knn(data, validation, test, kDefaultKnnNeighbors, options);
  if (knn.error.empty()) rows.push_back({knn.name, knn.metrics.hit_rate, knn.metrics.ndcg});
  return rows;
}

[[noreturn]] void run_child(const Job& job, const Shared& shared, int out, int in) {
  TrainConfig config;
  Status status = parse_train_config(job.config, shared.base_dir, &config);
  if (!status.ok()) child_fail(out, status.message());
  if (job.role == "baselines") {
    for (const BaselineRecord& b : compute_baselines(*shared.data, config, job.threads)) {
      char line[96];
      std::snprintf(line, sizeof line, "baseline %.17g %.17g ", b.test_hr, b.test_ndcg);
      write_all(out, line + one_line(b.name) + "\n");
    }
    write_all(out, "done\n");
    _exit(0);
  }
  config.training.threads = job.threads;
  if (!(status = check_trainable(config)).ok()) child_fail(out, status.message());
  Dataset own;
  const Dataset* data = shared.data;
  if (data_key(job.config) != shared.data_json) {
    if (!(status = load_dataset(config, &own)).ok()) child_fail(out, status.message());
    data = &own;
  }
  const Split split =
      make_split(*data, config.training.holdout, job.validation_split || config.training.patience > 0);
  WriteOptions write;
  if (!parse_embedding_dtype(config.embeddings, &write.embedding_dtype)) {
    child_fail(out, "output.embeddings: unknown type");
  }
  std::vector<uint8_t> bytes;
  if (!job.existing_model.empty()) {
    std::ifstream in_file(job.existing_model, std::ios::binary);
    if (!in_file) child_fail(out, "cannot read " + job.existing_model);
    bytes.assign(std::istreambuf_iterator<char>(in_file), std::istreambuf_iterator<char>());
  } else {
    ModelSpec trained;
    TrainSummary summary;
    status = train_model(
        config, *data, split,
        [&](const EpochReport& r) {
          char line[128];
          std::snprintf(line, sizeof line, "epoch %u %.17g %.3f\n", r.epoch, r.validation_hr, r.seconds);
          write_all(out, line);
          if (std::find(job.rungs.begin(), job.rungs.end(), r.epoch) == job.rungs.end()) return;
          write_all(out, "rung " + std::to_string(r.epoch) + "\n");
          char decision = 0;
          ssize_t n = 0;
          while ((n = read(in, &decision, 1)) < 0 && errno == EINTR) {
          }
          if (n != 1 || decision != 'c') _exit(0);  // stopped (or the parent is gone)
        },
        &trained, &summary);
    if (!status.ok()) child_fail(out, status.message());
    Lineage lineage;
    lineage.config_file = shared.config_file;
    lineage.tune_run = job.run_id;
    lineage.tune_trial = job.trial;
    lineage.tune_role = job.role;
    record_lineage(config, summary, split, lineage, &trained.metadata);
    if (!(status = write_model(trained, write, &bytes)).ok()) child_fail(out, status.message());
    if (!job.model_path.empty()) {
      if (!(status = write_model_file(trained, write, job.model_path)).ok()) child_fail(out, status.message());
    }
  }
  if (job.evaluate_test) {
    EvalOptions options;
    options.seed = config.training.seed;
    options.negatives = std::max(1u, config.training.negatives);
    EvalMetrics metrics;
    if (!(status = evaluate_bytes(config, *data, split, bytes, options, &metrics)).ok()) {
      child_fail(out, status.message());
    }
    char line[128];
    std::snprintf(line, sizeof line, "test %.17g %.17g\n", metrics.hit_rate, metrics.ndcg);
    write_all(out, line);
  }
  write_all(out, "done\n");
  _exit(0);
}

struct Child {
  pid_t pid = -1;
  int out = -1;  // the child's reports
  int in = -1;   // decisions to the child
  std::string buffer;
  Job job;
  Clock::time_point started;
  // What it reported.
  std::vector<double> validation_hr;
  int64_t waiting_rung = -1;  // the epoch of the rung it waits at, or -1
  std::string error;
  bool done = false;
  bool stopped = false;
  uint32_t stopped_at = 0;
  double test_hr = -1, test_ndcg = -1;
  std::vector<BaselineRecord> baselines;
  FinalRecord final;      // a final run's record (job.role "best" or "base")
  ConfirmRecord confirm;  // a confirmation run's (job.role "confirm")
};

Status start_child(const Job& job, const Shared& shared, Child* out) {
  int to_parent[2], to_child[2];
  if (pipe(to_parent) != 0) return make_error(BARISTA_STATUS_IO_ERROR, "pipe: %s", std::strerror(errno));
  if (pipe(to_child) != 0) {
    close(to_parent[0]);
    close(to_parent[1]);
    return make_error(BARISTA_STATUS_IO_ERROR, "pipe: %s", std::strerror(errno));
  }
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]}) close(fd);
    return make_error(BARISTA_STATUS_IO_ERROR, "fork: %s", std::strerror(errno));
  }
  if (pid == 0) {
    // Only its own two pipe ends: a child holding another child's ends
    // would keep that one's pipes open after the parent died, and that one
    // would go on training, or wait at a rung, for as long as this one ran.
    const long limit = sysconf(_SC_OPEN_MAX);
    const long open_max = limit > 0 ? std::min(limit, 65536L) : 1024L;
    for (int fd = 3; fd < open_max; ++fd) {
      if (fd != to_parent[1] && fd != to_child[0]) close(fd);
    }
    signal(SIGPIPE, SIG_DFL);
    run_child(job, shared, to_parent[1], to_child[0]);
  }
  close(to_parent[1]);
  close(to_child[0]);
  fcntl(to_parent[0], F_SETFD, FD_CLOEXEC);
  fcntl(to_child[1], F_SETFD, FD_CLOEXEC);
  out->pid = pid;
  out->out = to_parent[0];
  out->in = to_child[1];
  out->job = job;
  out->started = Clock::now();
  return Status();
}

// Reads what the child wrote; false at end of file.
bool read_child(Child* c) {
  char chunk[4096];
  const ssize_t n = read(c->out, chunk, sizeof chunk);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) return false;
  c->buffer.append(chunk, static_cast<size_t>(n));
  size_t newline;
  while ((newline = c->buffer.find('\n')) != std::string::npos) {
    const std::string line = c->buffer.substr(0, newline);
    c->buffer.erase(0, newline + 1);
    std::istringstream words(line);
    std::string what;
    words >> what;
    if (what == "epoch") {
      uint32_t epoch = 0;
      double hr = -1, seconds = 0;
      words >> epoch >> hr >> seconds;
      c->validation_hr.push_back(hr);
    } else if (what == "rung") {
      words >> c->waiting_rung;
    } else if (what == "test") {
      words >> c->test_hr >> c->test_ndcg;
    } else if (what == "baseline") {
      BaselineRecord b;
      words >> b.test_hr >> b.test_ndcg >> std::ws;
      std::getline(words, b.name);
      c->baselines.push_back(b);
    } else if (what == "error") {
      c->error = line.size() > 6 ? line.substr(6) : "failed";
    } else if (what == "done") {
      c->done = true;
    }
  }
  return true;
}

// Waits for the child's exit; a failure that the child did not explain is
// described by how it ended.
void reap(Child* c, bool killed) {
  int wstatus = 0;
  while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  close(c->out);
  close(c->in);
  if (killed || c->stopped || c->done || !c->error.empty()) return;
  if (WIFSIGNALED(wstatus)) {
    c->error = std::string("the trial's process died of signal ") + std::to_string(WTERMSIG(wstatus)) + " (" +
               strsignal(WTERMSIG(wstatus)) + ")";
  } else {
    c->error = "the trial's process exited with status " + std::to_string(WEXITSTATUS(wstatus)) + " without a result";
  }
}

// ---------------------------------------------------------------- the search

std::string format_minutes(double seconds) {
  char text[32];
  const long s = std::lround(std::max(0.0, seconds));
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

std::vector<std::string> config_paths_to_absolute(json::Value* config, const std::string& base_dir) {
  std::vector<std::string> changed;
  for (const char* key : {"data.interactions.path", "data.items.path", "data.users.path"}) {
    const json::Value* v = json::find_path(*config, key);
    if (v == nullptr || v->type != json::Type::String || v->string.empty() || v->string[0] == '/') continue;
    const std::string path = absolute(base_dir + "/" + v->string);
    (void)json::set_path(config, key, json::text(path));
    changed.push_back(key);
  }
  return changed;
}

class Search {
 public:
  Search(const TuneOptions& options, const SearchSpace& space) : options_(options), space_(space) {}

  Status run(TuneResult* out);

 private:
  Status prepare();
  bool settled_at(uint32_t trial, uint32_t rung_epoch) const;
  bool known_objective(uint32_t j, uint32_t later, double* objective) const;
  bool history_for(uint32_t trial, std::vector<Observation>* history) const;
  Job trial_job(uint32_t trial);
  Status finish_trial(Child* c);
  void decide_rungs();
  std::vector<Child> final_runs(const char* which, uint32_t trial) const;
  Status finish_final(Child* c);
  // Confirmation (selection.h): the runs of trial `trial` on the other
  // seeds that the log does not hold yet, and the phase that runs them for
  // every candidate once the trials are done.
  std::vector<Child> confirm_runs(uint32_t trial) const;
  Status finish_confirm(Child* c);
  Status run_confirmation();
  // Model files, relative to the run's folder.
  static std::string trial_model(uint32_t trial) { return "models/trial-" + std::to_string(trial) + ".barista"; }
  static std::string confirm_model(uint32_t trial, uint64_t seed) {
    return "models/confirm-" + std::to_string(trial) + "-seed" + std::to_string(seed) + ".barista";
  }
  void remove_unused_models() const;
  Status step(std::vector<Child>* queue);
  Status run_finals();
  Status run_baselines();
  // The baselines in a child of their own, started with the first trials:
  // the longest single job (EASE over a large catalog), it is best started
  // first, and the trials fill the other slots around it.
  Job baselines_job() const;
  Status finish_baselines(Child* c);
  Status log_baselines(const std::vector<BaselineRecord>& rows);
  Status write_best();
  void progress_line(const TrialRecord& r);
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }
  double finals_seconds() const;
  bool over_budget() const {
    return options_.budget_minutes > 0 && elapsed() + finals_seconds() > options_.budget_minutes * 60.0;
  }
  const TrialRecord* record(uint32_t trial) const {
    auto it = records_.find(trial);
    return it == records_.end() ? nullptr : &it->second;
  }
  std::vector<TrialRecord> record_list() const {
    std::vector<TrialRecord> out;
    for (const auto& [n, r] : records_) out.push_back(r);
    return out;
  }
  // The best single draw so far (progress, the budget's estimate), and the
  // winner the final runs evaluate (selection.h).
  int64_t best_trial() const { return best_single_trial(record_list()); }
  int64_t chosen() const {
    return chosen_trial(record_list(), log_.confirms, options_.confirm, confirm_seeds_);
  }

  const TuneOptions& options_;
  const SearchSpace& space_;
  Clock::time_point t0_ = Clock::now();
  std::string log_path_, models_dir_, base_dir_;
  json::Value given_;  // the configuration as given: final runs and best.json
  json::Value base_;   // the same, validated every epoch: trials
  TrainConfig base_config_;
  Dataset data_;
  Shared shared_;
  TuneHeader header_;
  TrialLog log_;
  std::map<uint32_t, TrialRecord> records_;  // finished trials, logged
  std::map<uint32_t, Assignment> proposals_;
  std::vector<Child> running_;
  unsigned threads_ = 1;
  uint32_t confirm_seeds_ = 0;  // 0 when confirmation is off
  // The given configuration validates anyway (early stopping): trials and
  // confirmation runs are then the trainings `barista train` would do, and
  // their models serve as final runs.
  bool same_training_ = false;
  uint64_t epochs_ = 0, trials_run_ = 0;
  double trial_seconds_ = 0;
};

Status Search::prepare() {
  BARISTA_RETURN_IF_ERROR(load_train_config_json(options_.config_path, &given_, &base_dir_));
  BARISTA_RETURN_IF_ERROR(with_validation(given_, base_dir_, &base_));
  BARISTA_RETURN_IF_ERROR(parse_train_config(base_, base_dir_, &base_config_));
  BARISTA_RETURN_IF_ERROR(check_space_keys(base_, base_dir_, space_));
  BARISTA_RETURN_IF_ERROR(check_trainable(base_config_));

  BARISTA_RETURN_IF_ERROR(make_directory(options_.out_dir));
  models_dir_ = options_.out_dir + "/models";
  BARISTA_RETURN_IF_ERROR(make_directory(models_dir_));
  log_path_ = options_.out_dir + "/trials.jsonl";

  if (options_.progress) std::fprintf(options_.progress, "reading the data ...\n");
  BARISTA_RETURN_IF_ERROR(load_dataset(base_config_, &data_));
  shared_.data = &data_;
  shared_.data_json = data_key(base_);
  shared_.base_dir = base_dir_;
  shared_.config_file = options_.config_path;

  const unsigned cores = options_.cores > 0 ? options_.cores : std::max(1u, std::thread::hardware_concurrency());
  threads_ = std::max(1u, cores / std::max(1u, options_.parallel));
  confirm_seeds_ = options_.confirm > 0 ? options_.confirm_seeds : 0;
  same_training_ = json::serialize(given_) == json::serialize(base_);

  header_.config_path = options_.config_path;
  header_.base_config_json = json::serialize(base_);
  header_.space_json = space_.source_json;
  header_.data_fingerprint = data_.fingerprint;
  header_.seed = options_.seed;
  header_.trials = options_.trials;
  header_.parallel = std::max(1u, options_.parallel);
  header_.startup_trials = options_.startup;
  header_.max_epochs = base_config_.training.epochs;
  header_.min_epochs = options_.min_epochs;
  header_.eta = options_.eta;
  header_.version = BARISTA_VERSION_STRING;
  // The run's identity: what decides its trials (the trial count may grow
  // on a rerun; the budget and thread counts change nothing).
  std::string identity = header_.base_config_json + "\n" + header_.space_json + "\n" + header_.data_fingerprint;
  for (uint64_t v : {header_.seed, uint64_t{header_.parallel}, uint64_t{header_.startup_trials},
                     uint64_t{header_.min_epochs}, uint64_t{header_.eta}}) {
    identity += "\n" + std::to_string(v);
  }
  header_.run_id = hex64(fingerprint64(identity));

  BARISTA_RETURN_IF_ERROR(read_trial_log(log_path_, &log_));
  for (const std::string& problem : log_.problems) {
    if (options_.progress) std::fprintf(options_.progress, "warning: %s (skipped)\n", problem.c_str());
  }
  if (log_.has_header) {
    if (log_.header.run_id != header_.run_id) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                        "%s belongs to another tune run (its configuration, space, data, seed or settings differ: "
                        "run %s, this one %s); give another --out",
                        log_path_.c_str(), log_.header.run_id.c_str(), header_.run_id.c_str());
    }
  } else {
    log_.header = header_;
    log_.has_header = true;
    BARISTA_RETURN_IF_ERROR(append_line(log_path_, header_line(header_)));
  }
  for (const TrialRecord& r : log_.trials) {
    if (r.number < options_.trials) records_[r.number] = r;
  }
  if (options_.progress && !records_.empty()) {
    std::fprintf(options_.progress, "resuming run %s: %zu of %u trials in %s\n", header_.run_id.c_str(),
                 records_.size(), options_.trials, log_path_.c_str());
  }
  return Status();
}

// Whether trial `trial` has a value at the rung of `rung_epoch`, or will
// never have one: decisions of later trials may then be taken.
bool Search::settled_at(uint32_t trial, uint32_t rung_epoch) const {
  if (record(trial) != nullptr) return true;
  for (const Child& c : running_) {
    if (c.job.role == "trial" && c.job.trial == trial) return c.validation_hr.size() >= rung_epoch;
  }
  return false;  // not started yet
}

// What the search knows of trial j when it proposes a later trial: its best
// validation HR@10 in its first E = (later - j) / parallel epochs (all of
// them if it ended by then; -1 if it failed by then). A pure function of
// the two numbers and j's curve, which the seed fixes, so the proposals do
// not depend on which trial happened to finish first; and as a trial ages
// about as fast as it trains, the search seldom waits for one. False: not
// known yet (j has not trained past E epochs and has not ended).
bool Search::known_objective(uint32_t j, uint32_t later, double* objective) const {
  const uint32_t parallel = std::max(1u, options_.parallel);
  const size_t epochs = std::max<size_t>(1, (later - j) / parallel);
  const std::vector<double>* hr = nullptr;
  if (const TrialRecord* r = record(j)) {
    if (r->validation_hr.size() <= epochs && r->outcome == TrialRecord::Outcome::Failed) {
      *objective = -1.0;
      return true;
    }
    hr = &r->validation_hr;
  } else {
    for (const Child& c : running_) {
      if (c.job.role == "trial" && c.job.trial == j && c.validation_hr.size() > epochs) hr = &c.validation_hr;
    }
    if (hr == nullptr) return false;
  }
  *objective = -1.0;
  for (size_t e = 0; e < std::min(epochs, hr->size()); ++e) *objective = std::max(*objective, (*hr)[e]);
  return true;
}

// The first `startup` trials are random draws and need nothing; the next
// ones are proposed from trials 0 .. i - parallel as known_objective sees
// them.
bool Search::history_for(uint32_t trial, std::vector<Observation>* history) const {
  history->clear();
  if (trial < options_.startup) return true;
  const uint32_t parallel = std::max(1u, options_.parallel);
  for (uint32_t j = 0; j + parallel <= trial; ++j) {
    double objective = -1.0;
    if (!known_objective(j, trial, &objective)) return false;
    const auto it = proposals_.find(j);
    const TrialRecord* r = record(j);
    history->push_back({r != nullptr ? r->params : it != proposals_.end() ? it->second : Assignment(), objective});
  }
  return true;
}

// How long what follows the trials would take if the search stopped now:
// the confirmation runs of the candidates, and the best trial's and the
// given configuration's final trainings, final_seeds times each,
// `parallel` at once, as long per epoch as the trials took (the same
// threads), over the configuration's epochs. An upper bound: a final run
// that reuses a model costs only its evaluation.
double Search::finals_seconds() const {
  const int64_t best = best_trial();
  if (best < 0) return 0.0;
  auto full_run = [&](const TrialRecord& r) {
    return r.seconds / static_cast<double>(std::max<size_t>(1, r.validation_hr.size())) *
           std::max<uint32_t>(1, base_config_.training.epochs);
  };
  const TrialRecord& best_record = records_.at(static_cast<uint32_t>(best));
  double total = 0;
  if (options_.final_seeds > 0) {
    total = full_run(best_record);
    if (best != 0) total += record(0) != nullptr ? full_run(*record(0)) : full_run(best_record);
    total *= options_.final_seeds;
  }
  for (uint32_t c : confirm_candidates(record_list(), options_.confirm)) {
    total += full_run(records_.at(c)) * confirm_seeds_;
  }
  return total / std::max(1u, options_.parallel);
}

Job Search::trial_job(uint32_t trial) {
  std::vector<Observation> history;
  history_for(trial, &history);
  ProposeOptions propose_options;
  propose_options.seed = options_.seed;
  propose_options.startup = options_.startup;
  Job job;
  job.trial = trial;
  job.role = "trial";
  job.run_id = header_.run_id;
  job.threads = threads_;
  const Assignment params = trial == 0 ? Assignment() : propose(space_, history, trial, propose_options);
  proposals_[trial] = params;
  const Status applied = apply_assignment(base_, params, &job.config);
  if (!applied.ok()) job.config = base_;  // cannot happen: the keys were checked
  TrainConfig parsed;
  if (parse_train_config(job.config, base_dir_, &parsed).ok()) {
    if (options_.eta >= 2) job.rungs = rung_epochs(options_.min_epochs, options_.eta, parsed.training.epochs);
  }
  job.model_path = options_.out_dir + "/" + trial_model(trial);
  return job;
}

void Search::progress_line(const TrialRecord& r) {
  if (!options_.progress) return;
  const int64_t best = best_trial();
  const double mean = trials_run_ > 0 ? trial_seconds_ / static_cast<double>(trials_run_) : 0.0;
  const size_t left = options_.trials - records_.size();
  const double eta = mean * static_cast<double>(left) / std::max(1u, options_.parallel);
  std::string what;
  char text[160];
  if (r.outcome == TrialRecord::Outcome::Failed) {
    what = "failed: " + r.error;
  } else {
    std::snprintf(text, sizeof text, "%s after %zu epoch%s, validation HR@10 %.4f",
                  r.outcome == TrialRecord::Outcome::Stopped ? "stopped" : "done", r.validation_hr.size(),
                  r.validation_hr.size() == 1 ? "" : "s", r.objective);
    what = text;
  }
  std::string best_text = "none yet";
  if (best >= 0) {
    std::snprintf(text, sizeof text, "%.4f (trial %lld)", records_.at(static_cast<uint32_t>(best)).objective,
                  static_cast<long long>(best));
    best_text = text;
  }
  std::fprintf(options_.progress, "trial %u (%zu/%u): %s · best %s · %s elapsed, ETA %s\n", r.number,
               records_.size(), options_.trials, what.c_str(), best_text.c_str(), format_minutes(elapsed()).c_str(),
               format_minutes(eta).c_str());
}

Status Search::finish_trial(Child* c) {
  TrialRecord r;
  r.number = c->job.trial;
  r.params = proposals_[r.number];
  r.seed = base_config_.training.seed;
  r.data_fingerprint = data_.fingerprint;
  r.validation_hr = c->validation_hr;
  r.seconds = std::chrono::duration<double>(Clock::now() - c->started).count();
  if (!c->error.empty()) {
    r.outcome = TrialRecord::Outcome::Failed;
    r.error = c->error;
  } else if (c->stopped) {
    r.outcome = TrialRecord::Outcome::Stopped;
    r.stopped_at_rung = c->stopped_at;
  } else {
    r.outcome = TrialRecord::Outcome::Done;
  }
  r.objective = -1;
  for (double hr : r.validation_hr) r.objective = std::max(r.objective, hr);
  if (r.outcome != TrialRecord::Outcome::Done) std::remove(c->job.model_path.c_str());
  BARISTA_RETURN_IF_ERROR(append_line(log_path_, trial_line(r)));
  epochs_ += r.validation_hr.size();
  ++trials_run_;
  trial_seconds_ += r.seconds;
  records_[r.number] = r;
  log_.trials.push_back(r);
  progress_line(r);
  // Only the models that may become final runs stay: the base's, the best
  // trial's and the other candidates for confirmation.
  const std::vector<uint32_t> keep = confirm_candidates(record_list(), options_.confirm);
  const int64_t best = best_trial();
  for (const auto& [n, rec] : records_) {
    if (n != 0 && static_cast<int64_t>(n) != best && rec.outcome == TrialRecord::Outcome::Done &&
        std::find(keep.begin(), keep.end(), n) == keep.end()) {
      std::remove((options_.out_dir + "/" + trial_model(n)).c_str());
    }
  }
  return Status();
}

// Takes the rung decisions whose earlier trials have all settled.
void Search::decide_rungs() {
  for (Child& c : running_) {
    if (c.waiting_rung < 0 || c.stopped) continue;
    const uint32_t rung = static_cast<uint32_t>(c.waiting_rung);
    std::vector<double> earlier;
    bool ready = true;
    for (uint32_t j = 0; j < c.job.trial && ready; ++j) {
      if (!settled_at(j, rung)) {
        ready = false;
        break;
      }
      std::vector<double> hr;
      if (const TrialRecord* r = record(j)) {
        hr = r->validation_hr;
      } else {
        for (const Child& other : running_) {
          if (other.job.role == "trial" && other.job.trial == j) hr = other.validation_hr;
        }
      }
      const double v = value_at_rung(hr, rung);
      if (v >= 0) earlier.push_back(v);
    }
    if (!ready) continue;
    const bool go_on = continues_at_rung(value_at_rung(c.validation_hr, rung), earlier, options_.eta);
    const char decision = go_on ? 'c' : 's';
    if (write(c.in, &decision, 1) != 1) {
      // The child is gone; its end of file tells the rest.
    }
    c.waiting_rung = -1;
    if (!go_on) {
      c.stopped = true;
      c.stopped_at = rung;
    }
  }
}

Status Search::run(TuneResult* out) {
  BARISTA_RETURN_IF_ERROR(prepare());
  if (options_.final_seeds > 0 && log_.baselines.empty()) {
    Child c;
    BARISTA_RETURN_IF_ERROR(start_child(baselines_job(), shared_, &c));
    running_.push_back(std::move(c));
  }
  uint32_t next = 0;
  bool cut = false;
  std::vector<Observation> history;
  std::vector<Child> early;
  bool early_queued = false;
  for (;;) {
    while (next < options_.trials && record(next) != nullptr) ++next;
    if (over_budget()) cut = true;
    while (!cut && next < options_.trials && running_.size() < std::max(1u, options_.parallel) &&
           history_for(next, &history)) {
      Child c;
      BARISTA_RETURN_IF_ERROR(start_child(trial_job(next), shared_, &c));
      running_.push_back(std::move(c));
      ++next;
      while (next < options_.trials && record(next) != nullptr) ++next;
    }
    // Once every trial has started, what the given configuration needs
    // whichever trial wins (its confirmation runs; its final runs, unless
    // those reuse the confirmation's models) takes the slots that the last
    // trials leave idle.
    if (!cut && !early_queued && next >= options_.trials && record(0) != nullptr) {
      early = confirm_runs(0);
      if (options_.final_seeds > 0 && !(same_training_ && confirm_seeds_ > 0)) {
        std::vector<Child> base = final_runs("base", 0);
        std::move(base.begin(), base.end(), std::back_inserter(early));
      }
      early_queued = true;
    }
    if (running_.empty() && early.empty()) break;
    if (cut) {
      for (Child& c : running_) {
        kill(c.pid, SIGKILL);
        reap(&c, true);
      }
      running_.clear();
      if (options_.progress) {
        std::fprintf(options_.progress,
                     "the budget of %g minutes leaves only the time of the final runs: running trials stopped "
                     "(not logged)\n",
                     options_.budget_minutes);
      }
      break;
    }
    BARISTA_RETURN_IF_ERROR(step(&early));
  }
  // A search cut by the budget still ends with its best so far on test: a
  // rerun continues the trials, then evaluates the best of them all.
  out->complete = records_.size() >= options_.trials;
  // A search cut by the budget has no time left to confirm: its best single
  // draw goes to the finals (a rerun confirms once the trials are done).
  if (!cut) BARISTA_RETURN_IF_ERROR(run_confirmation());
  BARISTA_RETURN_IF_ERROR(run_finals());
  BARISTA_RETURN_IF_ERROR(run_baselines());
  BARISTA_RETURN_IF_ERROR(write_best());
  remove_unused_models();
  out->log = log_;
  out->best_trial = chosen();
  out->epochs_this_run = epochs_;
  out->trials_this_run = trials_run_;
  out->seconds = elapsed();
  out->best_config_path = options_.out_dir + "/best.json";
  return Status();
}

// The final runs of trial `trial`'s configuration as `which` ("best" or
// "base") that the log does not hold yet, seed by seed.
std::vector<Child> Search::final_runs(const char* which, uint32_t trial) const {
  std::vector<Child> out;
  const TrialRecord& r = records_.at(trial);
  for (uint32_t s = 0; s < options_.final_seeds; ++s) {
    const uint64_t seed = base_config_.training.seed + s;
    const auto same = [&](const FinalRecord& f) { return f.seed == seed && f.trial == trial; };
    if (std::any_of(log_.finals.begin(), log_.finals.end(), same)) continue;
    Child c;
    Job& job = c.job;
    job.trial = trial;
    job.role = which;
    job.run_id = header_.run_id;
    job.threads = threads_;
    job.evaluate_test = true;
    job.validation_split = false;
    (void)apply_assignment(given_, r.params, &job.config);
    (void)json::set_path(&job.config, "training.seed", json::number(static_cast<double>(seed)));
    const std::string name = std::string(which) + "-seed" + std::to_string(seed) + ".barista";
    // A trial's or a confirmation run's model is what `barista train` makes
    // of its configuration and seed only when that configuration validates
    // anyway (early stopping).
    std::string kept;
    if (same_training_ && s == 0 && r.outcome == TrialRecord::Outcome::Done) {
      kept = trial_model(trial);
      c.final.validation_hr = r.objective;
    } else if (same_training_) {
      for (const ConfirmRecord& confirm : log_.confirms) {
        if (confirm.trial == trial && confirm.seed == seed && confirm.error.empty()) {
          kept = confirm.model_path;
          c.final.validation_hr = confirm.objective;
        }
      }
    }
    struct stat st;
    if (!kept.empty() && stat((options_.out_dir + "/" + kept).c_str(), &st) == 0) {
      job.existing_model = options_.out_dir + "/" + kept;  // kept, not retrained
      c.final.model_path = kept;
    } else if (std::string(which) == "best") {
      job.model_path = models_dir_ + "/" + name;
      c.final.model_path = "models/" + name;
    }
    c.final.which = which;
    c.final.trial = trial;
    c.final.seed = seed;
    out.push_back(std::move(c));
  }
  return out;
}

Status Search::finish_final(Child* c) {
  FinalRecord f = c->final;
  if (!c->error.empty()) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "final run (%s, seed %llu) failed: %s", f.which.c_str(),
                      static_cast<unsigned long long>(f.seed), c->error.c_str());
  }
  // A kept model's figure was set when the run was queued; a run without
  // validation targets shows its trial's.
  if (!c->validation_hr.empty()) {
    f.validation_hr = *std::max_element(c->validation_hr.begin(), c->validation_hr.end());
  } else if (f.validation_hr < 0) {
    f.validation_hr = records_.at(f.trial).objective;
  }
  f.test_hr = c->test_hr;
  f.test_ndcg = c->test_ndcg;
  f.seconds = std::chrono::duration<double>(Clock::now() - c->started).count();
  BARISTA_RETURN_IF_ERROR(append_line(log_path_, final_line(f)));
  log_.finals.push_back(f);
  if (options_.progress) {
    std::fprintf(options_.progress, "final %s (trial %u) seed %llu: test HR@10 %.4f, NDCG@10 %.4f\n",
                 f.which.c_str(), f.trial, static_cast<unsigned long long>(f.seed), f.test_hr, f.test_ndcg);
  }
  return Status();
}

// Starts what `queue` holds while slots are free, reads the running
// children, and ends the ones that are done: trials are logged, rung
// decisions taken, final runs logged.
Status Search::step(std::vector<Child>* queue) {
  while (!queue->empty() && running_.size() < std::max(1u, options_.parallel)) {
    Child c = std::move(queue->front());
    queue->erase(queue->begin());
    const Job job = c.job;
    BARISTA_RETURN_IF_ERROR(start_child(job, shared_, &c));
    running_.push_back(std::move(c));
  }
  if (running_.empty()) return Status();
  std::vector<pollfd> fds;
  for (const Child& c : running_) fds.push_back({c.out, POLLIN, 0});
  if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) {
    return make_error(BARISTA_STATUS_IO_ERROR, "poll: %s", std::strerror(errno));
  }
  for (size_t i = 0; i < running_.size(); ++i) {
    if (fds[i].revents == 0) continue;
    Child& c = running_[i];
    if (read_child(&c)) continue;
    reap(&c, false);
    BARISTA_RETURN_IF_ERROR(c.job.role == "trial"       ? finish_trial(&c)
                            : c.job.role == "confirm"   ? finish_confirm(&c)
                            : c.job.role == "baselines" ? finish_baselines(&c)
                                                        : finish_final(&c));
    c.pid = -1;
  }
  running_.erase(std::remove_if(running_.begin(), running_.end(), [](const Child& c) { return c.pid < 0; }),
                 running_.end());
  decide_rungs();
  return Status();
}

Status Search::run_finals() {
  const int64_t best = chosen();
  if (best < 0 || options_.final_seeds == 0) return Status();
  std::vector<Child> queue = final_runs("best", static_cast<uint32_t>(best));
  if (best != 0) {
    std::vector<Child> base = final_runs("base", 0);
    std::move(base.begin(), base.end(), std::back_inserter(queue));
  }
  if (options_.progress && !queue.empty()) {
    std::fprintf(options_.progress, "final: the best configuration (trial %lld) and the given one, %u seed%s each, "
                 "on the test targets (%zu runs) ...\n", static_cast<long long>(best), options_.final_seeds,
                 options_.final_seeds == 1 ? "" : "s", queue.size());
  }
  while (!queue.empty() || !running_.empty()) BARISTA_RETURN_IF_ERROR(step(&queue));
  return Status();
}

std::vector<Child> Search::confirm_runs(uint32_t trial) const {
  std::vector<Child> out;
  const TrialRecord* r = record(trial);
  if (r == nullptr) return out;
  for (uint32_t s = 1; s <= confirm_seeds_; ++s) {
    const uint64_t seed = r->seed + s;
    const auto same = [&](const ConfirmRecord& c) { return c.trial == trial && c.seed == seed; };
    if (std::any_of(log_.confirms.begin(), log_.confirms.end(), same)) continue;
    Child c;
    Job& job = c.job;
    job.trial = trial;
    job.role = "confirm";
    job.run_id = header_.run_id;
    job.threads = threads_;
    (void)apply_assignment(base_, r->params, &job.config);
    (void)json::set_path(&job.config, "training.seed", json::number(static_cast<double>(seed)));
    c.confirm.trial = trial;
    c.confirm.seed = seed;
    // Kept only when a final run of this seed could reuse it.
    if (same_training_ && s < options_.final_seeds) {
      c.confirm.model_path = confirm_model(trial, seed);
      job.model_path = options_.out_dir + "/" + c.confirm.model_path;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Status Search::finish_confirm(Child* c) {
  ConfirmRecord r = c->confirm;
  r.validation_hr = c->validation_hr;
  r.seconds = std::chrono::duration<double>(Clock::now() - c->started).count();
  r.error = c->error;
  r.objective = -1;
  if (r.error.empty()) {
    for (double hr : r.validation_hr) r.objective = std::max(r.objective, hr);
  } else {
    std::remove(c->job.model_path.c_str());
    r.model_path.clear();
  }
  BARISTA_RETURN_IF_ERROR(append_line(log_path_, confirm_line(r)));
  log_.confirms.push_back(r);
  if (options_.progress) {
    if (r.error.empty()) {
      std::fprintf(options_.progress, "confirm trial %u seed %llu: validation HR@10 %.4f · %s elapsed\n", r.trial,
                   static_cast<unsigned long long>(r.seed), r.objective, format_minutes(elapsed()).c_str());
    } else {
      std::fprintf(options_.progress, "confirm trial %u seed %llu: failed: %s\n", r.trial,
                   static_cast<unsigned long long>(r.seed), r.error.c_str());
    }
  }
  return Status();
}

Status Search::run_confirmation() {
  const std::vector<TrialRecord> trials = record_list();
  const std::vector<uint32_t> candidates = confirm_candidates(trials, options_.confirm);
  if (confirm_seeds_ == 0 || candidates.empty()) return Status();
  std::vector<Child> queue;
  for (uint32_t trial : candidates) {
    std::vector<Child> runs = confirm_runs(trial);
    std::move(runs.begin(), runs.end(), std::back_inserter(queue));
  }
  if (options_.progress) {
    std::string list;
    for (uint32_t trial : candidates) list += (list.empty() ? "" : ", ") + std::to_string(trial);
    std::fprintf(options_.progress,
                 "confirm: trials %s on %u more seed%s each, validation only (%zu runs to go) ...\n", list.c_str(),
                 confirm_seeds_, confirm_seeds_ == 1 ? "" : "s", queue.size());
  }
  while (!queue.empty() || !running_.empty()) BARISTA_RETURN_IF_ERROR(step(&queue));
  if (options_.progress) {
    for (uint32_t trial : candidates) {
      double mean = 0;
      if (!mean_objective(trials, log_.confirms, trial, confirm_seeds_, &mean)) continue;
      std::fprintf(options_.progress, "confirm trial %u: validation HR@10 %.4f on its seed, %.4f mean of %u%s\n",
                   trial, records_.at(trial).objective, mean, confirm_seeds_ + 1,
                   static_cast<int64_t>(trial) == chosen() ? " (chosen)" : "");
    }
  }
  return Status();
}

// Once the finals ran: only the models they name stay of the trials' and
// the confirmation runs' (and trial 0's, which `barista runs` and inspect
// show as the search's reference).
void Search::remove_unused_models() const {
  auto used = [&](const std::string& relative) {
    return std::any_of(log_.finals.begin(), log_.finals.end(),
                       [&](const FinalRecord& f) { return f.model_path == relative; });
  };
  if (options_.final_seeds == 0) return;  // nothing ran on test: the models stay for a rerun
  for (const ConfirmRecord& c : log_.confirms) {
    if (!c.model_path.empty() && !used(c.model_path)) std::remove((options_.out_dir + "/" + c.model_path).c_str());
  }
  const int64_t winner = chosen();
  for (const auto& [n, r] : records_) {
    const std::string relative = trial_model(n);
    if (n != 0 && static_cast<int64_t>(n) != winner && !used(relative)) {
      std::remove((options_.out_dir + "/" + relative).c_str());
    }
  }
}

Job Search::baselines_job() const {
  Job job;
  job.trial = std::numeric_limits<uint32_t>::max();  // not a trial
  job.role = "baselines";
  job.config = given_;
  job.threads = threads_;
  job.run_id = header_.run_id;
  return job;
}

Status Search::finish_baselines(Child* c) {
  if (!c->done || !c->error.empty()) {
    // Not fatal: the parent computes them at the end instead.
    if (options_.progress) {
      std::fprintf(options_.progress, "baselines: their process failed (%s); computed at the end instead\n",
                   c->error.empty() ? "no result" : c->error.c_str());
    }
    return Status();
  }
  return log_baselines(c->baselines);
}

Status Search::log_baselines(const std::vector<BaselineRecord>& rows) {
  for (const BaselineRecord& b : rows) {
    BARISTA_RETURN_IF_ERROR(append_line(log_path_, baseline_line(b)));
    log_.baselines.push_back(b);
  }
  return Status();
}

Status Search::run_baselines() {
  // --final-seeds 0: nothing is evaluated on test, the baselines neither.
  if (!log_.baselines.empty() || options_.final_seeds == 0) return Status();
  const unsigned threads = std::max(1u, options_.cores > 0 ? options_.cores : std::thread::hardware_concurrency());
  return log_baselines(compute_baselines(data_, base_config_, threads));
}

// best.json: the best configuration, trainable from anywhere (data paths
// made absolute), with the search's settings as its name.
Status Search::write_best() {
  const int64_t best = chosen();
  if (best < 0) return Status();
  json::Value config;
  BARISTA_RETURN_IF_ERROR(apply_assignment(given_, records_.at(static_cast<uint32_t>(best)).params, &config));
  config_paths_to_absolute(&config, base_dir_);
  const std::string text = json::serialize(config) + "\n";
  const std::string path = options_.out_dir + "/best.json";
  return replace_file_durably(path, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

// Every extreme of `p` (with `prefix` set before it), then its nested keys.
Status check_parameters(const json::Value& base, const std::string& base_dir, const std::vector<Parameter>& params,
                        const Assignment& prefix) {
  for (const Parameter& p : params) {
    double low = 0, high = 0;
    model_range(p, &low, &high);
    std::vector<double> xs = {low, high};
    if (p.kind == Parameter::Kind::Choice) {
      xs.clear();
      for (size_t i = 0; i < p.options.size(); ++i) xs.push_back(static_cast<double>(i));
    }
    for (double x : xs) {
      Assignment a = prefix;
      a.push_back(value_at(p, x));
      json::Value config;
      Status s = apply_assignment(base, a, &config);
      TrainConfig parsed;
      if (s.ok()) s = parse_train_config(config, base_dir, &parsed);
      if (s.ok()) s = check_trainable(parsed);
      if (!s.ok()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "space: %s = %s: %s", p.key.c_str(),
                          json::serialize(a.back().value).c_str(), s.message().c_str());
      }
      if (p.kind == Parameter::Kind::Choice) {
        BARISTA_RETURN_IF_ERROR(check_parameters(base, base_dir, p.options[static_cast<size_t>(x)].nested, a));
      }
    }
  }
  return Status();
}

}  // namespace

Status check_space_keys(const json::Value& base_config, const std::string& base_dir, const SearchSpace& space) {
  return check_parameters(base_config, base_dir, space.parameters, {});
}

Status run_tune(const TuneOptions& options, const SearchSpace& space, TuneResult* out) {
  if (options.trials == 0) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "--trials must be at least 1");
  if (options.parallel == 0) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "--parallel must be at least 1");
  if (options.eta == 1) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "--eta must be 0 (no successive halving) or at least 2");
  }
  // A child that ended before reading its decision must not take the
  // search down with it.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);
  Search search(options, space);
  const Status status = search.run(out);
  sigaction(SIGPIPE, &previous, nullptr);
  return status;
}

}  // namespace barista::internal
