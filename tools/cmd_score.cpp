// barista score MODEL --item ID [...]: p(interaction) for given catalog items
// and for items described by their features (--describe).
#include <cstdio>

#include "commands.h"
#include "request_args.h"

namespace barista::cli {

Exit run_score(const Command& command, int argc, char** argv) {
  std::vector<Args::Option> options = request_options();
  options.push_back({"item", "ID,...", "catalog item ids to score", Use::Repeatable});
  options.push_back(
      {"describe", "INPUT=VALUE", "a feature of one item not in the catalog (scored too)", Use::Repeatable});
  options.push_back(explain_option());
  Args args(command, "Prints p(interaction) = sigmoid(wide + deep) for each item.", options);
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  if (!args.has("item") && !args.has("describe")) return args.usage_error("give --item or --describe");
  if (!check_features(args, "describe")) return Exit::Usage;

  Model model;
  Session session;
  Request request;
  if ((exit = open_request(args, &model, &session, &request)) != Exit::Ok) return exit;
  Status status;
  std::vector<uint32_t> items;
  if (!resolve_items(model, args.all("item"), &items)) return Exit::Failure;
  std::vector<float> scores;
  if (!(status = session.score(request, items, &scores))) return fail(status.message());

  std::vector<float> described_scores;
  Item described;
  if (args.has("describe")) {
    if (!build_item(args.all("describe"), model, &described)) return Exit::Failure;
    if (!(status = session.score(request, {&described}, &described_scores))) return fail(status.message());
  }

  const bool explain = args.has("explain");
  if (args.has("json")) {
    JsonWriter j;
    j.begin_object().key("scores").begin_array();
    for (size_t i = 0; i < items.size(); ++i) {
      j.begin_object().key("item").value(model.item_id(items[i])).key("score").value(scores[i]);
      if (explain && !explain_item(session, request, items[i], nullptr, &j)) return Exit::Failure;
      j.end_object();
    }
    if (!described_scores.empty()) {
      j.begin_object().key("item").value("(described)").key("score").value(described_scores[0]);
      if (explain && !explain_item(session, request, 0, &described, &j)) return Exit::Failure;
      j.end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return Exit::Ok;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::printf("%-32s %.4f\n", model.item_id(items[i]).c_str(), static_cast<double>(scores[i]));
    if (explain && !explain_item(session, request, items[i], nullptr)) return Exit::Failure;
  }
  if (!described_scores.empty()) {
    std::printf("%-32s %.4f\n", "(described item)", static_cast<double>(described_scores[0]));
    if (explain && !explain_item(session, request, 0, &described)) return Exit::Failure;
  }
  return Exit::Ok;
}

}  // namespace barista::cli
