#include "tune/trial_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "platform/file_io.h"

namespace barista::internal {

namespace {

// Reads the members of one record. What identifies a record and its
// result is required; the rest (times, messages, paths, the trial's data
// fingerprint and rung) defaults when absent, so that a hand-written line
// still reads. The Writer turns NaN into null,
// so null reads back as NaN for a real number.
class Fields {
 public:
  explicit Fields(const json::Value& object) : object_(object) {}

  Status text(const char* key, std::string* out, bool required = true) const {
    const json::Value* v = object_.find(key);
    if (v == nullptr) return required ? missing(key) : Status();
    if (v->type != json::Type::String) return wrong(key, "a string", *v);
    *out = v->string;
    return Status();
  }

  Status real(const char* key, double* out, bool required = true) const {
    const json::Value* v = object_.find(key);
    if (v == nullptr) return required ? missing(key) : Status();
    return real_value(key, *v, out);
  }

  template <class Int>
  Status whole(const char* key, Int* out, bool required = true) const {
    const json::Value* v = object_.find(key);
    if (v == nullptr) return required ? missing(key) : Status();
    if (v->type != json::Type::Number || v->number < 0 || v->number != std::floor(v->number) ||
        v->number > static_cast<double>(std::numeric_limits<Int>::max())) {
      return wrong(key, "a whole number >= 0", *v);
    }
    *out = static_cast<Int>(v->number);
    return Status();
  }

  Status reals(const char* key, std::vector<double>* out) const {
    const json::Value* v = object_.find(key);
    if (v == nullptr) return missing(key);
    if (v->type != json::Type::Array) return wrong(key, "an array of numbers", *v);
    out->clear();
    for (const json::Value& e : v->array) {
      double d = 0.0;
      BARISTA_RETURN_IF_ERROR(real_value(key, e, &d));
      out->push_back(d);
    }
    return Status();
  }

  const json::Value* find(const char* key) const { return object_.find(key); }

  static Status missing(const char* key) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the key '%s' is missing", key);
  }
  static Status wrong(const char* key, const char* expected, const json::Value& v) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "'%s': expected %s, got %s", key, expected,
                      json::type_name(v.type));
  }

 private:
  static Status real_value(const char* key, const json::Value& v, double* out) {
    if (v.type == json::Type::Null) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return Status();
    }
    if (v.type != json::Type::Number) return wrong(key, "a number", v);
    *out = v.number;
    return Status();
  }

  const json::Value& object_;
};

Status read_header(const Fields& f, TuneHeader* h) {
  BARISTA_RETURN_IF_ERROR(f.text("run_id", &h->run_id));
  BARISTA_RETURN_IF_ERROR(f.text("config_path", &h->config_path));
  BARISTA_RETURN_IF_ERROR(f.text("base_config_json", &h->base_config_json));
  BARISTA_RETURN_IF_ERROR(f.text("space_json", &h->space_json));
  BARISTA_RETURN_IF_ERROR(f.text("data_fingerprint", &h->data_fingerprint));
  BARISTA_RETURN_IF_ERROR(f.whole("seed", &h->seed));
  BARISTA_RETURN_IF_ERROR(f.whole("trials", &h->trials));
  BARISTA_RETURN_IF_ERROR(f.whole("parallel", &h->parallel));
  BARISTA_RETURN_IF_ERROR(f.whole("startup_trials", &h->startup_trials));
  BARISTA_RETURN_IF_ERROR(f.whole("max_epochs", &h->max_epochs));
  BARISTA_RETURN_IF_ERROR(f.whole("min_epochs", &h->min_epochs));
  BARISTA_RETURN_IF_ERROR(f.whole("eta", &h->eta));
  return f.text("version", &h->version, false);
}

Status read_params(const Fields& f, Assignment* out) {
  const json::Value* params = f.find("params");
  if (params == nullptr) return Fields::missing("params");
  if (params->type != json::Type::Array) return Fields::wrong("params", "an array", *params);
  out->clear();
  for (size_t i = 0; i < params->array.size(); ++i) {
    const json::Value& p = params->array[i];
    const std::string where = "params[" + std::to_string(i) + "]";
    if (p.type != json::Type::Object) return Fields::wrong(where.c_str(), "an object", p);
    const Fields pf(p);
    ParameterValue value;
    Status s = pf.text("id", &value.id);
    if (s.ok()) s = pf.text("key", &value.key);
    if (s.ok()) s = pf.real("x", &value.x);
    if (s.ok() && pf.find("value") == nullptr) s = Fields::missing("value");
    if (!s.ok()) return Status(s.code(), where + ": " + s.message());
    value.value = *pf.find("value");
    out->push_back(std::move(value));
  }
  return Status();
}

Status read_trial(const Fields& f, TrialRecord* t) {
  BARISTA_RETURN_IF_ERROR(f.whole("number", &t->number));
  std::string outcome;
  BARISTA_RETURN_IF_ERROR(f.text("outcome", &outcome));
  if (outcome == "done") {
    t->outcome = TrialRecord::Outcome::Done;
  } else if (outcome == "stopped") {
    t->outcome = TrialRecord::Outcome::Stopped;
  } else if (outcome == "failed") {
    t->outcome = TrialRecord::Outcome::Failed;
  } else {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "'outcome': expected done, stopped or failed, not '%s'",
                      outcome.c_str());
  }
  BARISTA_RETURN_IF_ERROR(read_params(f, &t->params));
  BARISTA_RETURN_IF_ERROR(f.whole("seed", &t->seed));
  BARISTA_RETURN_IF_ERROR(f.text("data_fingerprint", &t->data_fingerprint, false));
  BARISTA_RETURN_IF_ERROR(f.reals("validation_hr", &t->validation_hr));
  BARISTA_RETURN_IF_ERROR(f.whole("stopped_at_rung", &t->stopped_at_rung, false));
  BARISTA_RETURN_IF_ERROR(f.real("objective", &t->objective));
  BARISTA_RETURN_IF_ERROR(f.real("seconds", &t->seconds, false));
  return f.text("error", &t->error, false);
}

Status read_confirm(const Fields& f, ConfirmRecord* r) {
  BARISTA_RETURN_IF_ERROR(f.whole("trial", &r->trial));
  BARISTA_RETURN_IF_ERROR(f.whole("seed", &r->seed));
  BARISTA_RETURN_IF_ERROR(f.reals("validation_hr", &r->validation_hr));
  BARISTA_RETURN_IF_ERROR(f.real("objective", &r->objective));
  BARISTA_RETURN_IF_ERROR(f.text("model_path", &r->model_path, false));
  BARISTA_RETURN_IF_ERROR(f.real("seconds", &r->seconds, false));
  return f.text("error", &r->error, false);
}

Status read_final(const Fields& f, FinalRecord* r) {
  BARISTA_RETURN_IF_ERROR(f.text("which", &r->which));
  BARISTA_RETURN_IF_ERROR(f.whole("trial", &r->trial));
  BARISTA_RETURN_IF_ERROR(f.whole("seed", &r->seed));
  BARISTA_RETURN_IF_ERROR(f.real("validation_hr", &r->validation_hr));
  BARISTA_RETURN_IF_ERROR(f.real("test_hr", &r->test_hr));
  BARISTA_RETURN_IF_ERROR(f.real("test_ndcg", &r->test_ndcg));
  BARISTA_RETURN_IF_ERROR(f.text("model_path", &r->model_path, false));
  return f.real("seconds", &r->seconds, false);
}

Status read_baseline(const Fields& f, BaselineRecord* b) {
  BARISTA_RETURN_IF_ERROR(f.text("name", &b->name));
  BARISTA_RETURN_IF_ERROR(f.real("test_hr", &b->test_hr));
  return f.real("test_ndcg", &b->test_ndcg);
}

// One line into `log`; an error says what is wrong with it.
Status read_line(std::string_view line, TrialLog* log) {
  json::Value root;
  Status parsed = json::parse(line, &root);
  if (!parsed.ok()) {
    // The line is the whole document: "line 1, " says nothing.
    std::string message = parsed.message();
    if (message.rfind("line 1, ", 0) == 0) message.erase(0, 8);
    return Status(parsed.code(), message);
  }
  if (root.type != json::Type::Object) return Fields::wrong("the line", "an object", root);
  const Fields f(root);
  std::string type;
  BARISTA_RETURN_IF_ERROR(f.text("type", &type));
  if (type == "tune") {
    if (log->has_header) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "a second \"tune\" header");
    BARISTA_RETURN_IF_ERROR(read_header(f, &log->header));
    log->has_header = true;
  } else if (type == "trial") {
    TrialRecord t;
    BARISTA_RETURN_IF_ERROR(read_trial(f, &t));
    log->trials.push_back(std::move(t));
  } else if (type == "confirm") {
    ConfirmRecord r;
    BARISTA_RETURN_IF_ERROR(read_confirm(f, &r));
    log->confirms.push_back(std::move(r));
  } else if (type == "final") {
    FinalRecord r;
    BARISTA_RETURN_IF_ERROR(read_final(f, &r));
    log->finals.push_back(std::move(r));
  } else if (type == "baseline") {
    BaselineRecord b;
    BARISTA_RETURN_IF_ERROR(read_baseline(f, &b));
    log->baselines.push_back(std::move(b));
  } else {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "unknown type '%s'", type.c_str());
  }
  return Status();
}

}  // namespace

const char* outcome_name(TrialRecord::Outcome outcome) {
  switch (outcome) {
    case TrialRecord::Outcome::Done: return "done";
    case TrialRecord::Outcome::Stopped: return "stopped";
    case TrialRecord::Outcome::Failed: return "failed";
  }
  return "?";
}

std::string header_line(const TuneHeader& h) {
  json::Writer w;
  w.begin_object().key("type").value("tune").key("run_id").value(h.run_id);
  w.key("config_path").value(h.config_path).key("base_config_json").value(h.base_config_json);
  w.key("space_json").value(h.space_json).key("data_fingerprint").value(h.data_fingerprint);
  w.key("seed").value(h.seed).key("trials").value(h.trials).key("parallel").value(h.parallel);
  w.key("startup_trials").value(h.startup_trials).key("max_epochs").value(h.max_epochs);
  w.key("min_epochs").value(h.min_epochs).key("eta").value(h.eta).key("version").value(h.version);
  return w.end_object().str();
}

std::string trial_line(const TrialRecord& t) {
  json::Writer w;
  w.begin_object().key("type").value("trial").key("number").value(t.number);
  w.key("outcome").value(outcome_name(t.outcome)).key("params").begin_array();
  for (const ParameterValue& p : t.params) {
    w.begin_object().key("id").value(p.id).key("key").value(p.key).key("x").value(p.x).key("value");
    w.value(p.value);
    w.end_object();
  }
  w.end_array().key("seed").value(t.seed).key("data_fingerprint").value(t.data_fingerprint);
  w.key("validation_hr").begin_array();
  for (double hr : t.validation_hr) w.value(hr);
  w.end_array().key("stopped_at_rung").value(t.stopped_at_rung).key("objective").value(t.objective);
  w.key("seconds").value(t.seconds).key("error").value(t.error);
  return w.end_object().str();
}

std::string confirm_line(const ConfirmRecord& r) {
  json::Writer w;
  w.begin_object().key("type").value("confirm").key("trial").value(r.trial).key("seed").value(r.seed);
  w.key("validation_hr").begin_array();
  for (double hr : r.validation_hr) w.value(hr);
  w.end_array().key("objective").value(r.objective).key("model_path").value(r.model_path);
  w.key("seconds").value(r.seconds).key("error").value(r.error);
  return w.end_object().str();
}

std::string final_line(const FinalRecord& r) {
  json::Writer w;
  w.begin_object().key("type").value("final").key("which").value(r.which).key("trial").value(r.trial);
  w.key("seed").value(r.seed).key("validation_hr").value(r.validation_hr).key("test_hr").value(r.test_hr);
  w.key("test_ndcg").value(r.test_ndcg).key("model_path").value(r.model_path).key("seconds").value(r.seconds);
  return w.end_object().str();
}

std::string baseline_line(const BaselineRecord& b) {
  json::Writer w;
  w.begin_object().key("type").value("baseline").key("name").value(b.name);
  w.key("test_hr").value(b.test_hr).key("test_ndcg").value(b.test_ndcg);
  return w.end_object().str();
}

Status read_trial_log(const std::string& path, TrialLog* out) {
  *out = TrialLog();
  Vec<uint8_t> bytes;
  bool exists = false;
  BARISTA_RETURN_IF_ERROR(read_whole_file(path, &bytes, &exists));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t start = 0;
  for (size_t number = 1; start < text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const Status s = read_line(line, out);
    if (!s.ok()) out->problems.push_back(path + ":" + std::to_string(number) + ": " + s.message());
  }
  return Status();
}

Status append_line(const std::string& path, const std::string& line) {
  // One record per line: a line break inside would split it.
  if (line.find('\n') != std::string::npos) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "cannot append to '%s': the record holds a line break",
                      path.c_str());
  }
  int fd = -1;
  BARISTA_RETURN_IF_ERROR(open_regular_file(path, O_WRONLY | O_APPEND | O_CREAT, 0644, &fd));
  const std::string data = line + '\n';
  Status status;
  for (size_t done = 0; done < data.size() && status.ok();) {
    const ssize_t written = ::write(fd, data.data() + done, data.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      status = make_error(BARISTA_STATUS_IO_ERROR, "cannot append to '%s': %s", path.c_str(), std::strerror(errno));
    } else {
      done += static_cast<size_t>(written);
    }
  }
  if (status.ok() && fsync(fd) != 0) {
    status = make_error(BARISTA_STATUS_IO_ERROR, "cannot sync '%s': %s", path.c_str(), std::strerror(errno));
  }
  close(fd);
  return status;
}

}  // namespace barista::internal
