// barista demo: the quick start's main job, end to end on a built-in
// default — synthetic coffee-shop data, training, the evaluation table, and
// recommendations asked through the public C++ API, as a host app would.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "barista.hpp"
#include "cli.h"
#include "commands.h"
#include "data/synth.h"
#include "eval_report.h"
#include "train/model_builder.h"
#include "train/trainer.h"
#include "writer/model_writer.h"

namespace barista::cli {

namespace {

using internal::Dataset;
using internal::Split;

void print_top(const Model& model, const std::vector<barista_recommendation>& top, size_t catalog_size,
               const char* extra_name) {
  for (size_t i = 0; i < top.size(); ++i) {
    const std::string name = top[i].item >= catalog_size ? extra_name : model.item_id(top[i].item);
    std::printf("  %zu. %-32s %.3f\n", i + 1, name.c_str(), static_cast<double>(top[i].score));
  }
}

}  // namespace

Exit run_demo(const Command& command, int argc, char** argv) {
  Args args(command,
            "The quick start: writes synthetic coffee-shop data (barista synth), trains a model on\n"
            "it (barista train), evaluates it against MostPop (barista eval), and asks the model\n"
            "for recommendations through the public C++ API.",
            {{"dir", "DIR", "where the data and the model go (default: barista-demo)"},
             {"users", "N", "synthetic users (default: 2000)"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  const std::string dir = args.get("dir", "barista-demo");
  internal::SynthOptions synth;
  uint64_t users = synth.users;
  if (!args.get_uint("users", synth.users, &users)) return Exit::Usage;
  synth.users = static_cast<uint32_t>(std::max<uint64_t>(50, users));

  // 1. Data.
  internal::SynthSummary summary;
  internal::Status status = internal::write_synthetic_data(synth, dir, &summary);
  if (!status.ok()) return fail(status.message());
  std::printf("1. synthetic coffee-shop log: %llu purchases by %u customers of %u menu items (%s/)\n",
              static_cast<unsigned long long>(summary.interactions), summary.users, summary.items, dir.c_str());

  // 2. Training, each customer's last purchase held out.
  internal::TrainConfig config;
  if (!(status = internal::load_train_config(dir + "/config.json", &config)).ok()) return fail(status.message());
  Dataset data;
  if (!(status = internal::load_dataset(config, &data)).ok()) return fail(status.message());
  const Split split = internal::make_split(data, config.training.holdout, config.training.patience > 0);
  internal::ModelSpec spec;
  if (!(status = internal::build_model_spec(config, data, split, &spec)).ok()) return fail(status.message());
  std::unique_ptr<internal::Trainer> trainer;
  if (!(status = internal::Trainer::create(config, data, split, std::move(spec), &trainer)).ok()) {
    return fail(status.message());
  }
  internal::TrainSummary trained;
  if (!(status = trainer->run({}, &trained)).ok()) return fail(status.message());
  const std::string path = dir + "/model.barista";
  if (!(status = internal::write_model_file(trainer->spec(), internal::WriteOptions(), path)).ok()) {
    return fail(status.message());
  }
  std::printf("2. trained %u epochs (kept epoch %u by validation) in %.1f s, %.0f examples/s: %s\n", trained.epochs,
              trained.best_epoch, trained.seconds, trained.examples_per_second, path.c_str());

  // 3. Evaluation: each customer's last purchase ranked against the menu.
  const Split protocol = internal::make_split(data, internal::TrainingConfig::Holdout::Last, false);
  internal::EvalOptions options;
  std::vector<EvalRow> rows;
  rows.push_back({"MostPop", internal::evaluate_most_popular(data, protocol, protocol.test, options)});
  for (internal::fb::DType dtype : {internal::fb::DType::F32, internal::fb::DType::Int8Rowwise}) {
    internal::WriteOptions write;
    write.embedding_dtype = dtype;
    std::vector<uint8_t> bytes;
    if (!(status = internal::write_model(trainer->spec(), write, &bytes)).ok()) return fail(status.message());
    EvalRow row;
    row.name = std::string("wide & deep (") + (dtype == internal::fb::DType::F32 ? "f32" : "int8") + ")";
    if (!(status = evaluate_bytes(config, data, protocol, bytes, options, &row.metrics)).ok()) {
      return fail(status.message());
    }
    rows.push_back(row);
  }
  std::printf("3. each customer's last purchase, ranked against every item they had not bought:\n");
  print_eval_table(rows, options.k);

  // 4. Recommendations through the public API.
  Model model;
  Session session;
  Request request;
  Item seasonal;
  Status api = Model::open(path, &model);
  if (api) api = Session::create(model, &session);
  if (api) api = Request::create(model, &request);
  if (api) api = Item::create(model, &seasonal);
  if (!api) return fail(api.message());
  const size_t catalog_size = model.item_count();

  // A returning customer: their id, their last purchases, the hour.
  const uint32_t regular = 7 % static_cast<uint32_t>(data.user_count());
  std::vector<std::string> recent;
  for (size_t j = data.user_begin[regular]; j < data.user_begin[regular + 1]; ++j) {
    recent.push_back(data.item_ids[data.interactions[j].item]);
  }
  if (recent.size() > 5) recent.erase(recent.begin(), recent.end() - 5);
  request.set_user(data.user_ids[regular]);
  for (const std::string& item : recent) request.add("history", std::string_view(item));
  request.set("hour", 9.0);
  RecommendOptions recommend;
  recommend.k = 5;
  std::vector<uint32_t> bought;
  for (const std::string& item : recent) {
    uint32_t index = 0;
    if (model.find_item(item, &index)) bought.push_back(index);
  }
  recommend.exclude = bought;
  std::vector<barista_recommendation> top;
  if (!(api = session.recommend(request, recommend, &top))) return fail(api.message());
  std::printf("\n4. %s at 9:00, who recently had", data.user_ids[regular].c_str());
  for (size_t i = 0; i < recent.size(); ++i) std::printf("%s %s", i ? "," : "", recent[i].c_str());
  std::printf(":\n");
  print_top(model, top, catalog_size, "");
  // Why the first: its logit split into the model's parts.
  barista_explanation why{};
  if (!(api = session.explain(request, top[0].item, &why))) return fail(api.message());
  std::printf("   why #1: logit %+.2f = bias %+.2f + wide %+.2f + deep %+.2f; its largest wide terms:",
              static_cast<double>(why.logit), static_cast<double>(why.bias), static_cast<double>(why.wide),
              static_cast<double>(why.deep));
  for (size_t i = 0; i < std::min<size_t>(3, why.wide_term_count); ++i) {
    std::printf("%s %s: %s %+.2f", i ? "," : "", why.wide_terms[i].term, why.wide_terms[i].value,
                static_cast<double>(why.wide_terms[i].model));
  }
  std::printf("\n");

  // An anonymous customer: no id, just what is in the basket.
  request.clear();
  request.add("history", std::string_view("cinnamon muffin"));
  request.set("hour", 8.0);
  uint32_t pastry = 0;
  recommend.exclude = {};
  if (model.find_item("cinnamon muffin", &pastry)) recommend.exclude = Span<uint32_t>(&pastry, 1);
  // A seasonal special that is not on the menu, described by its features.
  seasonal.add("item_id", std::string_view("pumpkin spice latte"));
  seasonal.add("category", std::string_view("espresso"));
  seasonal.add("flavor", std::string_view("cinnamon"));
  seasonal.set("price", 4.9);
  recommend.extra_items.push_back(&seasonal);
  recommend.k = catalog_size + 1;  // the whole ranking, to find the new item in it
  if (!(api = session.recommend(request, recommend, &top))) return fail(api.message());
  size_t seasonal_rank = 0;
  while (seasonal_rank < top.size() && top[seasonal_rank].item < catalog_size) ++seasonal_rank;
  const float seasonal_score = seasonal_rank < top.size() ? top[seasonal_rank].score : 0.0f;
  top.resize(std::min<size_t>(top.size(), 5));
  std::printf("\n   an anonymous customer at 8:00 with a cinnamon muffin in the basket:\n");
  print_top(model, top, catalog_size, "pumpkin spice latte (new)");
  std::printf("   a new \"pumpkin spice latte\", not on the menu, scored from its features: %.3f, #%zu of %zu\n",
              static_cast<double>(seasonal_score), seasonal_rank + 1, catalog_size + 1);

  // 5. On-device learning: a walk-in customer the model has never seen.
  // Three visits, each shown the top 5 and taking the same drink, which the
  // model alone ranks far down; the overlay learns it, persists it, and
  // forgets it on request.
  const std::string overlay_path = dir + "/overlay.barista";
  std::remove(overlay_path.c_str());
  std::remove((overlay_path + ".journal").c_str());
  Overlay overlay;
  if (!(api = Overlay::open(model, overlay_path, &overlay))) return fail(api.message());
  if (!(api = session.set_overlay(overlay))) return fail(api.message());
  const std::string walk_in = "walk-in-1";
  request.clear();
  request.set_user(walk_in);
  request.set("hour", 9.0);
  recommend = RecommendOptions();
  recommend.k = catalog_size;
  auto rank_of = [&](uint32_t item, size_t* rank) {
    Status s = session.recommend(request, recommend, &top);
    for (*rank = 0; *rank < top.size() && top[*rank].item != item; ++*rank) {
    }
    ++*rank;
    return s;
  };
  if (!(api = session.recommend(request, recommend, &top))) return fail(api.message());
  const uint32_t favourite = top[std::min<size_t>(top.size() - 1, 19)].item;  // #20 for a stranger
  std::printf("\n5. %s, a customer the model has never seen, at 9:00 takes \"%s\" (#20 for them) on three visits:\n",
              walk_in.c_str(), model.item_id(favourite).c_str());
  for (int visit = 1; visit <= 3; ++visit) {
    recommend.k = 5;
    if (!(api = session.recommend(request, recommend, &top))) return fail(api.message());
    std::vector<uint32_t> shown;
    for (const barista_recommendation& r : top) shown.push_back(r.item);
    if (!(api = overlay.observe_shown(request, shown, favourite))) return fail(api.message());
    recommend.k = catalog_size;
    size_t rank = 0;
    if (!(api = rank_of(favourite, &rank))) return fail(api.message());
    std::printf("   visit %d: shown the top 5, took it -> now #%zu\n", visit, rank);
  }
  // The requests above carry only the customer's id: the overlay's customer
  // memory gave them the history of what the customer took.
  std::vector<uint32_t> remembered;
  if (!(api = overlay.recent_items(walk_in, &remembered))) return fail(api.message());
  std::printf("   the requests carried only their id; the overlay's customer memory gave them the history:");
  for (size_t i = 0; i < remembered.size(); ++i) {
    std::printf("%s %s", i ? "," : "", model.item_id(remembered[i]).c_str());
  }
  std::printf("\n");
  if (!(api = overlay.sync())) return fail(api.message());
  const barista_overlay_stats learned = overlay.stats();
  // Reopening the file recovers what was synced (after the first writer is
  // gone: one writer per file); forgetting removes it all.
  if (!(api = session.set_overlay(Overlay()))) return fail(api.message());
  overlay = Overlay();
  Overlay reopened;
  size_t rank = 0;
  recommend.k = catalog_size;
  if (!(api = Overlay::open(model, overlay_path, &reopened)) || !(api = session.set_overlay(reopened)) ||
      !(api = rank_of(favourite, &rank))) {
    return fail(api.message());
  }
  std::printf("   %zu learned weights (room for %zu in the 1 MiB default limit) synced to %s; reopened: still #%zu\n",
              learned.learned_weights, learned.capacity, overlay_path.c_str(), rank);
  if (!(api = reopened.forget_user(walk_in)) || !(api = reopened.sync()) || !(api = rank_of(favourite, &rank))) {
    return fail(api.message());
  }
  std::printf("   forget_user(\"%s\") + sync: back to #%zu, nothing of them left in memory or in the file\n",
              walk_in.c_str(), rank);

  std::printf("\nnext: barista inspect %s | barista recommend %s --user %s --feature hour=16\n", path.c_str(),
              path.c_str(), data.user_ids[regular].c_str());
  return Exit::Ok;
}

}  // namespace barista::cli
