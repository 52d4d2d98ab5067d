// barista catalog MODEL --changes PATH ...: catalog changes from a script --
// items sold out or back, new items added by their features, added ones
// removed -- saved to PATH before it returns, and listed.
#include <cstdio>

#include "commands.h"
#include "request_args.h"

namespace barista::cli {

Exit run_catalog(const Command& command, int argc, char** argv) {
  Args args(command,
            "Changes what MODEL recommends without retraining, in the file at --changes (the model\n"
            "file is not touched): catalog items unavailable or available again, items added by\n"
            "their features or removed. Saved before it returns; then lists the changes. barista\n"
            "recommend --catalog PATH applies them.",
            {{"changes", "PATH", "the catalog changes file (created when missing)"},
             {"unavailable", "ID,...", "catalog items no longer recommended", Use::Repeatable},
             {"available", "ID,...", "catalog items recommended again", Use::Repeatable},
             {"add", "ID", "a new item, with its features from --describe"},
             {"describe", "INPUT=VALUE", "a feature of the --add item", Use::Repeatable},
             {"remove", "ID,...", "added items to remove", Use::Repeatable},
             {"json", "", "machine-readable output"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  if (!args.has("changes") || args.get("changes").empty()) return args.usage_error("give --changes PATH");
  if (args.has("describe") && !args.has("add")) return args.usage_error("--describe goes with --add");
  if (!check_features(args, "describe")) return Exit::Usage;

  Model model;
  Status status = Model::open(args.positional()[0], &model);
  if (!status) return fail(args.positional()[0] + ": " + status.message());
  Catalog catalog;
  if (!(status = Catalog::open(model, args.get("changes"), &catalog))) return fail(status.message());
  for (const std::string& list : args.all("unavailable")) {
    for (const std::string& id : split_list(list)) {
      if (!(status = catalog.set_available(id, false))) return fail(status.message());
    }
  }
  for (const std::string& list : args.all("available")) {
    for (const std::string& id : split_list(list)) {
      if (!(status = catalog.set_available(id, true))) return fail(status.message());
    }
  }
  for (const std::string& list : args.all("remove")) {
    for (const std::string& id : split_list(list)) {
      if (!(status = catalog.remove_item(id))) return fail(status.message());
    }
  }
  if (args.has("add")) {
    Item item;
    if (!build_item(args.all("describe"), model, &item)) return Exit::Failure;
    if (!(status = catalog.add_item(args.get("add"), item))) return fail(status.message());
  }
  if (!(status = catalog.save())) return fail(status.message());

  // What the file now holds.
  std::vector<std::string> unavailable, added;
  for (uint32_t item : catalog.unavailable()) unavailable.push_back(model.item_id(item));
  for (size_t i = 0; i < catalog.added_count(); ++i) added.push_back(catalog.added_id(i));
  if (args.has("json")) {
    JsonWriter j;
    j.begin_object().key("unavailable").begin_array();
    for (const std::string& id : unavailable) j.value(id);
    j.end_array().key("added").begin_array();
    for (const std::string& id : added) j.value(id);
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  std::printf("saved %s\n  unavailable (%zu):", args.get("changes").c_str(), unavailable.size());
  for (size_t i = 0; i < unavailable.size(); ++i) std::printf("%s %s", i ? "," : "", unavailable[i].c_str());
  std::printf("\n  added (%zu):", added.size());
  for (size_t i = 0; i < added.size(); ++i) std::printf("%s %s", i ? "," : "", added[i].c_str());
  std::printf("\n");
  return Exit::Ok;
}

}  // namespace barista::cli
