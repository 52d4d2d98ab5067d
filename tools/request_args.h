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
// --explain, for the commands that score (recommend, score).
Args::Option explain_option();

// Opens the model named by the first positional argument, a session on it,
// and the request described by --user and --feature (multi-valent inputs
// take several --feature options or a comma-separated list); with
// --overlay, the overlay at that path too, attached to the session (and
// returned in `overlay` when not null). Anything but Exit::Ok was reported:
// Exit::Usage for a malformed option, before the model is opened.
Exit open_request(const Args& args, Model* model, Session* session, Request* request, Overlay* overlay = nullptr);

// true when every value of `option` reads INPUT=VALUE; otherwise reported
// as a usage error.
bool check_features(const Args& args, const std::string& option);

// Fills `item` from "input=value" pairs (as --feature, checked).
bool build_item(const std::vector<std::string>& features, const Model& model, Item* item);

// --explain: why `item` (a catalog index, or `described`) scores what it
// does, printed under its line (or, with `json` given, written into the
// open object as "explanation"). False (reported) when explaining fails.
bool explain_item(Session& session, const Request& request, uint32_t item, const Item* described,
                  JsonWriter* json = nullptr);

// Catalog indices of comma-separated item ids; false (reported) on an
// unknown id.
bool resolve_items(const Model& model, const std::vector<std::string>& lists, std::vector<uint32_t>* out);

}  // namespace barista::cli
