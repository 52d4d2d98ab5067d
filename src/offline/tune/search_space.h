// The search space of `barista tune`: JSON that maps configuration key paths
// (config/config_edit.h) to distributions,
//
//   {"training.deep_optimizer.learning_rate": {"loguniform": [1e-4, 1e-2]},
//    "history.length": {"int": [5, 50]},
//    "item_id.embedding": {"choice": [16, 32, 64]},
//    "training.negative_sampling": {"choice": [
//        "uniform",
//        {"value": "popularity",
//         "space": {"training.popularity_exponent": {"uniform": [0.25, 1.0]}}}]}}
//
// uniform and loguniform are real intervals, int an integer interval (both
// ends included), choice a list of JSON values. A key may name several
// paths, separated by commas ("item_id.embedding, history.embedding"), that
// take the same value. A choice's option written as
// {"value": V, "space": {...}} sets V and opens a nested space whose keys
// only matter (and are only drawn) when that option is chosen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/json.h"

namespace barista::internal {

struct Parameter;

struct ChoiceOption {
  json::Value value;
  std::vector<Parameter> nested;
};

struct Parameter {
  enum class Kind { Uniform, LogUniform, Int, Choice };
  // Unique within the space: the key path, prefixed by the branch that
  // opens it ("training.negative_sampling=1/training.popularity_exponent").
  std::string id;
  std::string key;  // the configuration key path(s) it sets
  Kind kind = Kind::Uniform;
  double low = 0.0;  // Uniform, LogUniform, Int
  double high = 0.0;
  std::vector<ChoiceOption> options;  // Choice
};

// One drawn value. `x` is what the search models: the number itself for
// uniform and int, its logarithm for loguniform, the option's index for a
// choice.
struct ParameterValue {
  std::string id;
  std::string key;
  double x = 0.0;
  json::Value value;  // what the configuration key is set to
};

// The values of the active parameters, depth-first in the space's order.
using Assignment = std::vector<ParameterValue>;

struct SearchSpace {
  std::vector<Parameter> parameters;
  std::string source_json;  // compact text, for the trial log's header

  // Every parameter, nested ones included, depth-first.
  std::vector<const Parameter*> all() const;
};

// Parses a space. Errors name the key path, e.g.
// "history.length: int wants [low, high] with low <= high".
Status parse_search_space(std::string_view text, SearchSpace* out);
Status load_search_space(const std::string& path, SearchSpace* out);

// The value of parameter `p` at model coordinate `x` (clamped into range;
// ints rounded; a choice's index).
ParameterValue value_at(const Parameter& p, double x);

// The bounds of `p` in model coordinates: [log low, log high] for
// loguniform, [0, options - 1] for a choice.
void model_range(const Parameter& p, double* low, double* high);

// `base` with every value of `assignment` set at its key path.
Status apply_assignment(const json::Value& base, const Assignment& assignment, json::Value* out);

}  // namespace barista::internal
