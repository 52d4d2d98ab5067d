// barista observe MODEL --overlay PATH --user ID ...: on-device learning from
// a script — one observation (an item taken or passed over, or a shown list
// and what was taken), synced to the overlay's files before it returns.
// barista forget MODEL --overlay PATH --user ID: a customer's right to be
// forgotten.
#include <cstdio>

#include "commands.h"
#include "request_args.h"

namespace barista::cli {

namespace {

void print_stats(const Overlay& overlay, const char* what, bool json) {
  const barista_overlay_stats s = overlay.stats();
  if (json) {
    Json j;
    j.begin_object().key("done").value(what).key("learned_weights").value(static_cast<uint64_t>(s.learned_weights));
    j.key("capacity")
        .value(static_cast<uint64_t>(s.capacity))
        .key("customers")
        .value(static_cast<uint64_t>(s.customers));
    j.key("memory_bytes").value(static_cast<uint64_t>(s.memory_bytes)).key("evictions").value(s.evictions);
    j.key("journal_bytes").value(s.journal_bytes).key("snapshot_bytes").value(s.snapshot_bytes).end_object();
    std::printf("%s\n", j.str().c_str());
    return;
  }
  std::printf(
      "%s; synced. The overlay holds %zu learned weights (capacity %zu) for %zu customer%s in %zu bytes; "
      "files: snapshot %llu bytes, journal %llu bytes\n",
      what, s.learned_weights, s.capacity, s.customers, s.customers == 1 ? "" : "s", s.memory_bytes,
      static_cast<unsigned long long>(s.snapshot_bytes), static_cast<unsigned long long>(s.journal_bytes));
}

}  // namespace

int run_observe(int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  options.push_back({"item", "ID", "the item taken (or, with --label 0, passed over)", false});
  options.push_back({"label", "L", "1 taken (default), 0 not taken", false});
  options.push_back({"weight", "W", "how much the observation counts (default: 1)", false});
  options.push_back({"shown", "ID,...", "the items shown (with --taken: the one chosen, if any)", true});
  options.push_back({"taken", "ID", "with --shown: the item taken", false});
  Args args("observe",
            "MODEL --overlay PATH --user ID [--feature INPUT=VALUE ...] (--item ID [--label L] | --shown ID,... "
            "[--taken ID])",
            "On-device learning: records what a customer did in the overlay at PATH (created\n"
            "when missing) and syncs it. Later `recommend --overlay PATH` reflects it.",
            options);
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  if (!args.has("overlay") || !args.has("user") || args.has("item") == args.has("shown")) {
    args.print_help(stderr);
    return 2;
  }
  Model model;
  Session session;
  Request request;
  Overlay overlay;
  if (!open_request(args, &model, &session, &request, &overlay)) return 1;
  Status status;
  if (args.has("item")) {
    std::vector<uint32_t> item;
    if (!resolve_items(model, {args.get("item")}, &item)) return 1;
    if (item.size() != 1) return fail("--item takes one id (use --shown for a list)");
    double label = 1, weight = 1;
    if (!args.get_double("label", 1, &label) || !args.get_double("weight", 1, &weight)) return 2;
    status = overlay.observe(request, item[0], static_cast<float>(label), static_cast<float>(weight));
  } else {
    std::vector<uint32_t> shown, taken;
    if (!resolve_items(model, args.all("shown"), &shown)) return 1;
    if (args.has("taken") && !resolve_items(model, {args.get("taken")}, &taken)) return 1;
    status = overlay.observe_shown(request, shown, taken.empty() ? BARISTA_NO_ITEM : taken[0]);
  }
  if (status) status = overlay.sync();
  if (!status) return fail(status.message());
  print_stats(overlay, "observed", args.has("json"));
  return 0;
}

int run_forget(int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  Args args("forget", "MODEL --overlay PATH --user ID",
            "Removes everything the overlay at PATH learned about one customer, from memory\n"
            "and from its files (rewritten without them before this returns).",
            options);
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  if (!args.has("overlay") || !args.has("user")) {
    args.print_help(stderr);
    return 2;
  }
  Model model;
  Session session;
  Request request;
  Overlay overlay;
  if (!open_request(args, &model, &session, &request, &overlay)) return 1;
  Status status = overlay.forget_user(args.get("user"));
  if (status) status = overlay.sync();
  if (!status) return fail(status.message());
  print_stats(overlay, ("forgot '" + args.get("user") + "'").c_str(), args.has("json"));
  return 0;
}

}  // namespace barista::cli
