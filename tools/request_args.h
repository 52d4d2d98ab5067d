// The options recommend and score share: which model, who is asking
// (--user, --feature input=value), and how to print.
#pragma once

#include <string>
#include <vector>

#include "barista.hpp"
#include "cli.h"

namespace barista::cli {

// Options every request-taking command accepts.
std::vector<Args::Option> request_options();

// Opens the model named by the first positional argument.
bool open_model(const Args& args, Model* model);

// Fills `request` from --user and --feature options. Multi-valent inputs take
// several --feature options or a comma-separated list.
bool build_request(const Args& args, const Model& model, Request* request);

// Fills `item` from "input=value" pairs (as --feature).
bool build_item(const std::vector<std::string>& features, const Model& model, Item* item);

// Catalog indices of comma-separated item ids; false (reported) on an
// unknown id.
bool resolve_items(const Model& model, const std::vector<std::string>& lists, std::vector<uint32_t>* out);

}  // namespace barista::cli
