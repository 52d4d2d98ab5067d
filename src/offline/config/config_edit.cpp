#include "config/config_edit.h"

#include <vector>

#include "common/parse_number.h"

namespace barista::internal::json {

namespace {

// One step of a path: an object member, or an array index.
struct Step {
  std::string key;
  bool is_index = false;
  size_t index = 0;
};

Status split_path(std::string_view path, std::vector<Step>* out) {
  out->clear();
  size_t i = 0;
  auto bad = [&](const char* why) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "key path '%.*s': %s", static_cast<int>(path.size()),
                      path.data(), why);
  };
  if (path.empty()) return bad("is empty");
  while (i < path.size()) {
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos) return bad("'[' without ']'");
      int64_t index = 0;
      if (!parse_int64(path.substr(i + 1, close - i - 1), &index) || index < 0) {
        return bad("an index is not a number");
      }
      out->push_back({"", true, static_cast<size_t>(index)});
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    if (end == i) return bad("has an empty key");
    out->push_back({std::string(path.substr(i, end - i)), false, 0});
    i = end;
    if (i < path.size() && path[i] == '.') {
      ++i;
      if (i == path.size()) return bad("ends with '.'");
    }
  }
  return Status();
}

std::string prefix(const std::vector<Step>& steps, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (steps[i].is_index) {
      s += "[" + std::to_string(steps[i].index) + "]";
    } else {
      if (!s.empty()) s += ".";
      s += steps[i].key;
    }
  }
  return s;
}

}  // namespace

Value number(double v) {
  Value out;
  out.type = Type::Number;
  out.number = v;
  return out;
}

Value text(std::string v) {
  Value out;
  out.type = Type::String;
  out.string = std::move(v);
  return out;
}

Status set_path(Value* root, std::string_view path, Value value) {
  std::vector<Step> steps;
  BARISTA_RETURN_IF_ERROR(split_path(path, &steps));
  Value* at = root;
  for (size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    if (step.is_index) {
      if (at->type != Type::Array) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: is not an array", prefix(steps, s).c_str());
      }
      if (step.index >= at->array.size()) {
        return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: the array has %zu elements",
                          prefix(steps, s + 1).c_str(), at->array.size());
      }
      at = &at->array[step.index];
      continue;
    }
    if (at->type == Type::Null) at->type = Type::Object;
    if (at->type != Type::Object) {
      return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "%s: is %s, not an object",
                        s == 0 ? "the configuration" : prefix(steps, s).c_str(), type_name(at->type));
    }
    Value* next = nullptr;
    for (auto& member : at->object) {
      if (member.first == step.key) next = &member.second;
    }
    if (next == nullptr) {
      at->object.emplace_back(step.key, Value());
      next = &at->object.back().second;
    }
    at = next;
  }
  *at = std::move(value);
  return Status();
}

const Value* find_path(const Value& root, std::string_view path) {
  std::vector<Step> steps;
  if (!split_path(path, &steps).ok()) return nullptr;
  const Value* at = &root;
  for (const Step& step : steps) {
    if (step.is_index) {
      if (at->type != Type::Array || step.index >= at->array.size()) return nullptr;
      at = &at->array[step.index];
    } else {
      at = at->find(step.key);
      if (at == nullptr) return nullptr;
    }
  }
  return at;
}

std::string display(const Value& value) {
  return value.type == Type::String ? value.string : serialize(value);
}

}  // namespace barista::internal::json
