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
    JsonWriter j;
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

Exit run_observe(const Command& command, int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  for (Args::Option& option : options) {
    if (option.name == "overlay" || option.name == "user") option.use = Use::Required;
  }
  options.push_back({"item", "ID", "the item taken (or, with --label 0, passed over)"});
  options.push_back({"label", "L", "1 taken (default), 0 not taken"});
  options.push_back({"weight", "W", "how much the observation counts (default: 1)"});
  options.push_back({"shown", "ID,...", "the items shown (with --taken: the one chosen, if any)", Use::Repeatable});
  options.push_back({"taken", "ID", "with --shown: the item taken"});
  Args args(command,
            "On-device learning: records what a customer did in the overlay at PATH (created\n"
            "when missing) and syncs it. Later `recommend --overlay PATH` reflects it.",
            options);
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  if (args.has("item") == args.has("shown")) return args.usage_error("give --item or --shown (one of them)");
  if (args.has("item") && split_list(args.get("item")).size() != 1) {
    return args.usage_error("--item takes one id (use --shown for a list)");
  }
  double label = 1, weight = 1;
  if (!args.get_double("label", 1, &label) || !args.get_double("weight", 1, &weight)) return Exit::Usage;
  Model model;
  Session session;
  Request request;
  Overlay overlay;
  if ((exit = open_request(args, &model, &session, &request, &overlay)) != Exit::Ok) return exit;
  Status status;
  if (args.has("item")) {
    std::vector<uint32_t> item;
    if (!resolve_items(model, {args.get("item")}, &item)) return Exit::Failure;
    status = overlay.observe(request, item[0], static_cast<float>(label), static_cast<float>(weight));
  } else {
    std::vector<uint32_t> shown, taken;
    if (!resolve_items(model, args.all("shown"), &shown)) return Exit::Failure;
    if (args.has("taken") && !resolve_items(model, {args.get("taken")}, &taken)) return Exit::Failure;
    status = overlay.observe_shown(request, shown, taken.empty() ? BARISTA_NO_ITEM : taken[0]);
  }
  if (status) status = overlay.sync();
  if (!status) return fail(status.message());
  print_stats(overlay, "observed", args.has("json"));
  return Exit::Ok;
}

Exit run_forget(const Command& command, int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  for (Args::Option& option : options) {
    if (option.name == "overlay" || option.name == "user") option.use = Use::Required;
  }
  Args args(command,
            "Removes everything the overlay at PATH learned about one customer, from memory\n"
            "and from its files (rewritten without them before this returns).",
            options);
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  Model model;
  Session session;
  Request request;
  Overlay overlay;
  if ((exit = open_request(args, &model, &session, &request, &overlay)) != Exit::Ok) return exit;
  Status status = overlay.forget_user(args.get("user"));
  if (status) status = overlay.sync();
  if (!status) return fail(status.message());
  print_stats(overlay, ("forgot '" + args.get("user") + "'").c_str(), args.has("json"));
  return Exit::Ok;
}

}  // namespace barista::cli
