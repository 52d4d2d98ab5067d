// barista recommend MODEL --user ID [--feature k=v ...] [--k N]: the top-K
// items of the catalog (or of --candidates) for one customer.
#include <cstdio>

#include "commands.h"
#include "request_args.h"

namespace barista::cli {

int run_recommend(int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  options.push_back({"k", "N", "how many items (default: 10)", false});
  options.push_back({"exclude", "ID,...", "item ids never to return (already bought)", true});
  options.push_back({"candidates", "ID,...", "rank only these item ids (default: the whole catalog)", true});
  options.push_back(
      {"precision", "exact|int8", "int8: int8 layers pick a shortlist, rescored exactly (default: exact)", false});
  Args args("recommend", "MODEL [--user ID] [--feature INPUT=VALUE ...] [--k N] [--exclude ID,...] [--json]",
            "Prints the top-K items for a customer, best first, with p(interaction).", options);
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  uint64_t k = 10;
  if (!args.get_uint("k", 10, &k)) return 2;

  Model model;
  Session session;
  Request request;
  if (!open_request(args, &model, &session, &request)) return 1;
  Status status;
  std::vector<uint32_t> exclude, candidates;
  if (!resolve_items(model, args.all("exclude"), &exclude) ||
      !resolve_items(model, args.all("candidates"), &candidates)) {
    return 1;
  }
  RecommendOptions recommend;
  recommend.k = k;
  recommend.exclude = exclude;
  const std::string precision = args.get("precision", "exact");
  if (precision != "exact" && precision != "int8")
    return fail("--precision: expected exact or int8, not '" + precision + "'");
  recommend.precision = precision == "int8" ? BARISTA_PRECISION_INT8_SHORTLIST : BARISTA_PRECISION_EXACT;
  if (args.has("candidates")) recommend.candidates = Span<uint32_t>(candidates);
  std::vector<barista_recommendation> top;
  status = session.recommend(request, recommend, &top);
  if (!status) return fail(status.message());

  if (args.has("json")) {
    Json j;
    j.begin_object().key("recommendations").begin_array();
    for (const barista_recommendation& r : top) {
      j.begin_object().key("item").value(model.item_id(r.item)).key("index").value(r.item);
      j.key("score").value(static_cast<double>(r.score)).end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }
  for (size_t i = 0; i < top.size(); ++i) {
    std::printf("%3zu. %-32s %.4f\n", i + 1, model.item_id(top[i].item).c_str(), static_cast<double>(top[i].score));
  }
  return 0;
}

}  // namespace barista::cli
