// barista recommend MODEL --user ID [--feature k=v ...] [--k N]: the top-K
// items of the catalog (or of --candidates) for one customer.
#include <cstdio>

#include "batch_recommend.h"
#include "commands.h"
#include "request_args.h"

namespace barista::cli {

Exit run_recommend(const Command& command, int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  options.push_back({"k", "N", "how many items (default: 10)"});
  options.push_back({"exclude", "ID,...", "item ids never to return (already bought)", Use::Repeatable});
  options.push_back({"candidates", "ID,...", "rank only these item ids (default: the whole catalog)", Use::Repeatable});
  options.push_back(
      {"precision", "exact|int8", "int8: int8 layers pick a shortlist, rescored exactly (default: exact)"});
  options.push_back(explain_option());
  options.push_back({"catalog", "PATH", "catalog changes at PATH apply (see barista catalog)"});
  options.push_back({"all-users", "CONFIG", "every customer of CONFIG's log (batch: with --out)"});
  options.push_back({"users", "FILE", "batch: only these customers (one id per line)"});
  options.push_back({"out", "FILE", "batch: where the lists go, FILE.csv (user,rank,item,score) or FILE.jsonl"});
  options.push_back({"threads", "N", "batch: threads (default: 1)"});
  Args args(command,
            "Prints the top-K items for a customer, best first, with p(interaction). With --all-users,\n"
            "the top-K of every customer of a log (their history and user features as the config\n"
            "reads them, no context features; what they already had excluded), written to --out.",
            options);
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t k = 10;
  std::string precision;
  if (!args.get_uint("k", 10, &k) || !args.get_choice("precision", {"exact", "int8"}, "exact", &precision)) {
    return Exit::Usage;
  }
  const bool batch = args.has("all-users");
  for (const char* option : {"users", "out", "threads"}) {
    if (args.has(option) && !batch) return args.usage_error(std::string("--") + option + " goes with --all-users");
  }
  if (batch) {
    for (const char* option :
         {"user", "feature", "exclude", "candidates", "explain", "overlay", "catalog", "precision", "json"}) {
      if (args.has(option)) return args.usage_error(std::string("--") + option + " does not go with --all-users");
    }
    if (!args.has("out")) return args.usage_error("--all-users needs --out FILE.csv or FILE.jsonl");
    return run_batch_recommend(args, k);
  }

  Model model;
  Session session;
  Request request;
  if ((exit = open_request(args, &model, &session, &request)) != Exit::Ok) return exit;
  Status status;
  Catalog catalog;
  if (args.has("catalog")) {
    if (args.get("catalog").empty()) return args.usage_error("--catalog needs a path");
    if (!(status = Catalog::open(model, args.get("catalog"), &catalog)) || !(status = session.set_catalog(catalog))) {
      return fail(status.message());
    }
  }
  // Added items come after the catalog.
  const auto name = [&](uint32_t item) {
    return item < model.item_count() ? model.item_id(item) : catalog.added_id(item - model.item_count());
  };
  std::vector<uint32_t> exclude, candidates;
  if (!resolve_items(model, args.all("exclude"), &exclude) ||
      !resolve_items(model, args.all("candidates"), &candidates)) {
    return Exit::Failure;
  }
  RecommendOptions recommend;
  recommend.k = k;
  recommend.exclude = exclude;
  recommend.precision = precision == "int8" ? BARISTA_PRECISION_INT8_SHORTLIST : BARISTA_PRECISION_EXACT;
  if (args.has("candidates")) recommend.candidates = Span<uint32_t>(candidates);
  std::vector<barista_recommendation> top;
  status = session.recommend(request, recommend, &top);
  if (!status) return fail(status.message());

  const bool explain = args.has("explain");
  if (args.has("json")) {
    JsonWriter j;
    j.begin_object().key("recommendations").begin_array();
    for (const barista_recommendation& r : top) {
      j.begin_object().key("item").value(name(r.item)).key("index").value(r.item);
      j.key("score").value(r.score);
      if (explain && r.item < model.item_count() && !explain_item(session, request, r.item, nullptr, &j)) {
        return Exit::Failure;
      }
      j.end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  for (size_t i = 0; i < top.size(); ++i) {
    std::printf("%3zu. %-32s %.4f\n", i + 1, name(top[i].item).c_str(), static_cast<double>(top[i].score));
    if (explain && top[i].item < model.item_count() && !explain_item(session, request, top[i].item, nullptr)) {
      return Exit::Failure;
    }
  }
  return Exit::Ok;
}

}  // namespace barista::cli
