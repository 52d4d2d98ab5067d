#include "tune/search_space.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/config_edit.h"

namespace barista::internal {

namespace {

// "item_id.embedding, history.embedding": the key paths a parameter sets.
std::vector<std::string> key_paths(const std::string& key) {
  std::vector<std::string> paths;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find(',', start);
    if (end == std::string::npos) end = key.size();
    size_t b = start, e = end;
    while (b < e && key[b] == ' ') ++b;
    while (e > b && key[e - 1] == ' ') --e;
    paths.push_back(key.substr(b, e - b));
    start = end + 1;
  }
  return paths;
}

Status space_error(const std::string& path, const std::string& what) {
  return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "space: %s: %s", path.c_str(), what.c_str());
}

Status parse_parameters(const json::Value& object, const std::string& id_prefix, int depth,
                        std::vector<Parameter>* out);

Status parse_interval(const json::Value& bounds, const std::string& key, const char* kind, Parameter* p) {
  const std::string want = std::string(kind) + " wants [low, high]";
  if (bounds.type != json::Type::Array || bounds.array.size() != 2 || bounds.array[0].type != json::Type::Number ||
      bounds.array[1].type != json::Type::Number) {
    return space_error(key, want + " (two numbers)");
  }
  p->low = bounds.array[0].number;
  p->high = bounds.array[1].number;
  if (!(p->low <= p->high)) return space_error(key, want + " with low <= high");
  if (p->kind == Parameter::Kind::LogUniform && !(p->low > 0)) {
    return space_error(key, "loguniform wants positive bounds");
  }
  if (p->kind == Parameter::Kind::Int && (p->low != std::floor(p->low) || p->high != std::floor(p->high))) {
    return space_error(key, "int wants integer bounds");
  }
  return Status();
}

Status parse_parameter(const std::string& key, const json::Value& spec, const std::string& id_prefix, int depth,
                       Parameter* p) {
  p->key = key;
  p->id = id_prefix + key;
  if (spec.type != json::Type::Object || spec.object.size() != 1) {
    return space_error(key, "wants one of {\"uniform\": [low, high]}, {\"loguniform\": [low, high]}, "
                            "{\"int\": [low, high]}, {\"choice\": [...]}");
  }
  const std::string& kind = spec.object[0].first;
  const json::Value& arg = spec.object[0].second;
  if (kind == "uniform" || kind == "loguniform" || kind == "int") {
    p->kind = kind == "uniform"      ? Parameter::Kind::Uniform
              : kind == "loguniform" ? Parameter::Kind::LogUniform
                                     : Parameter::Kind::Int;
    return parse_interval(arg, key, kind.c_str(), p);
  }
  if (kind != "choice") {
    return space_error(key, "unknown distribution '" + kind + "' (known: uniform, loguniform, int, choice)");
  }
  p->kind = Parameter::Kind::Choice;
  if (arg.type != json::Type::Array || arg.array.empty()) return space_error(key, "choice wants a non-empty list");
  for (size_t i = 0; i < arg.array.size(); ++i) {
    const json::Value& option = arg.array[i];
    ChoiceOption o;
    const bool branch = option.type == json::Type::Object && option.find("value") != nullptr &&
                        std::all_of(option.object.begin(), option.object.end(),
                                    [](const auto& m) { return m.first == "value" || m.first == "space"; });
    if (!branch) {
      o.value = option;
    } else {
      o.value = *option.find("value");
      if (const json::Value* nested = option.find("space")) {
        if (depth >= 8) return space_error(key, "choices nest more than 8 deep");
        const std::string prefix = p->id + "=" + std::to_string(i) + "/";
        BARISTA_RETURN_IF_ERROR(parse_parameters(*nested, prefix, depth + 1, &o.nested));
      }
    }
    for (const ChoiceOption& earlier : p->options) {
      if (json::serialize(earlier.value) == json::serialize(o.value)) {
        return space_error(key, "choice lists " + json::serialize(o.value) + " twice");
      }
    }
    p->options.push_back(std::move(o));
  }
  return Status();
}

Status parse_parameters(const json::Value& object, const std::string& id_prefix, int depth,
                        std::vector<Parameter>* out) {
  if (object.type != json::Type::Object) {
    return space_error(id_prefix.empty() ? "the space" : id_prefix, "must be an object of key paths");
  }
  if (object.object.empty()) {
    return space_error(id_prefix.empty() ? "the space" : id_prefix, "has no parameters");
  }
  for (const auto& [key, spec] : object.object) {
    for (const Parameter& earlier : *out) {
      if (earlier.key == key) return space_error(key, "appears twice");
    }
    // The key must be a well-formed path; whether the configuration knows
    // it is checked against the configuration (check_space_keys).
    for (const std::string& path : key_paths(key)) {
      json::Value probe;
      const Status path_ok = json::set_path(&probe, path, json::Value());
      if (!path_ok.ok()) return space_error(key, path_ok.message());
    }
    Parameter p;
    BARISTA_RETURN_IF_ERROR(parse_parameter(key, spec, id_prefix, depth, &p));
    out->push_back(std::move(p));
  }
  return Status();
}

void collect(const std::vector<Parameter>& parameters, std::vector<const Parameter*>* out) {
  for (const Parameter& p : parameters) {
    out->push_back(&p);
    for (const ChoiceOption& o : p.options) collect(o.nested, out);
  }
}

}  // namespace

std::vector<const Parameter*> SearchSpace::all() const {
  std::vector<const Parameter*> out;
  collect(parameters, &out);
  return out;
}

Status parse_search_space(std::string_view text, SearchSpace* out) {
  json::Value root;
  const Status parsed = json::parse(text, &root);
  if (!parsed.ok()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "space: %s", parsed.message().c_str());
  SearchSpace space;
  BARISTA_RETURN_IF_ERROR(parse_parameters(root, "", 0, &space.parameters));
  space.source_json = json::serialize(root);
  *out = std::move(space);
  return Status();
}

Status load_search_space(const std::string& path, SearchSpace* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(BARISTA_STATUS_IO_ERROR, "cannot read the space %s", path.c_str());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_search_space(text.str(), out);
}

void model_range(const Parameter& p, double* low, double* high) {
  switch (p.kind) {
    case Parameter::Kind::LogUniform:
      *low = std::log(p.low);
      *high = std::log(p.high);
      break;
    case Parameter::Kind::Choice:
      *low = 0.0;
      *high = static_cast<double>(p.options.size() - 1);
      break;
    default:
      *low = p.low;
      *high = p.high;
  }
}

ParameterValue value_at(const Parameter& p, double x) {
  double low = 0, high = 0;
  model_range(p, &low, &high);
  x = std::clamp(x, low, high);
  ParameterValue v;
  v.id = p.id;
  v.key = p.key;
  switch (p.kind) {
    case Parameter::Kind::Uniform:
      v.x = x;
      v.value = json::number(x);
      break;
    case Parameter::Kind::LogUniform:
      v.x = x;
      v.value = json::number(std::clamp(std::exp(x), p.low, p.high));
      break;
    case Parameter::Kind::Int:
      v.x = std::round(x);
      v.value = json::number(v.x);
      break;
    case Parameter::Kind::Choice:
      v.x = std::round(x);
      v.value = p.options[static_cast<size_t>(v.x)].value;
      break;
  }
  return v;
}

Status apply_assignment(const json::Value& base, const Assignment& assignment, json::Value* out) {
  json::Value config = base;
  for (const ParameterValue& v : assignment) {
    for (const std::string& path : key_paths(v.key)) {
      const Status set = json::set_path(&config, path, v.value);
      if (!set.ok()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "space key %s: %s", v.key.c_str(), set.message().c_str());
      }
    }
  }
  *out = std::move(config);
  return Status();
}

}  // namespace barista::internal
