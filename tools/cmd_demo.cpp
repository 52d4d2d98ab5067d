// barista demo: the quick start's main job. Writes the built-in coffee shop
// model, opens it through the public C++ API like a host app would, and
// prints recommendations for a few customers.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "barista.hpp"
#include "cli.h"
#include "commands.h"
#include "demo_model.h"
#include "writer/model_writer.h"

namespace barista::cli {

namespace {

struct Scenario {
  const char* title;
  const char* user;  // nullptr: an anonymous customer
  double hour;
  std::vector<const char*> basket;
  bool seasonal_item;  // rank a new item that is not on the menu
};

const Scenario kScenarios[] = {
    {"alice at 8:00 (likes chocolate and bitter; never the fruity thing with sprinkles)", "alice", 8, {}, false},
    {"bob at 15:00 (a tea drinker)", "bob", 15, {}, false},
    {"an anonymous customer at 9:00 with a croissant in the basket", nullptr, 9, {"croissant"}, false},
    {"dave at 16:00 (likes spiced), with a new seasonal item not on the menu", "dave", 16, {}, true},
    {"a first-time customer at 16:00 (cold start: no history)", "someone-new", 16, {}, false},
};

}  // namespace

int run_demo(int argc, char** argv) {
  Args args("demo", "[--out PATH] [--k N] [--json]",
            "Writes the built-in demo model (a coffee shop with hand-set weights) and prints\n"
            "recommendations for a few customers through the public API.",
            {{"out", "PATH", "where to write the model (default: demo.barista)", false},
             {"k", "N", "recommendations per customer (default: 5)", false},
             {"json", "", "machine-readable output", false}});
  int exit_code = 0;
  if (!args.parse(argc, argv, &exit_code)) return exit_code;
  uint64_t k = 5;
  if (!args.get_uint("k", 5, &k)) return 2;
  const std::string path = args.get("out", "demo.barista");
  const bool json = args.has("json");

  const auto t0 = std::chrono::steady_clock::now();
  internal::Status written = internal::write_model_file(make_demo_model(), internal::WriteOptions(), path);
  if (!written.ok()) return fail(written.message());
  const auto t1 = std::chrono::steady_clock::now();

  Model model;
  Status status = Model::open(path, &model);
  const auto t2 = std::chrono::steady_clock::now();
  if (!status) return fail(status.message());
  const barista_model_info info = model.info();
  const double write_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double open_us = std::chrono::duration<double, std::micro>(t2 - t1).count();

  Session session;
  Request request;
  Item seasonal;
  if (!(status = Session::create(model, &session)) || !(status = Request::create(model, &request)) ||
      !(status = Item::create(model, &seasonal))) {
    return fail(status.message());
  }
  // A product the model has never seen, described by its attributes.
  seasonal.add("item_id", std::string_view("pumpkin spice latte"));
  seasonal.add("category", std::string_view("espresso"));
  for (const char* flavor : {"spiced", "sweet", "milky"}) seasonal.add("flavors", std::string_view(flavor));
  seasonal.set("price", 4.6);

  Json out;
  if (json) {
    out.begin_object().key("model").value(path).key("items").value(static_cast<uint64_t>(info.item_count));
    out.key("file_bytes").value(static_cast<uint64_t>(info.file_size)).key("kernels").value(info.kernels);
    out.key("open_us").value(open_us).key("customers").begin_array();
  } else {
    std::printf("barista demo: a coffee shop with a hand-set wide & deep model\n");
    std::printf("wrote %s (%zu bytes, %zu menu items) in %.1f ms; opened in %.0f us (kernels: %s)\n", path.c_str(),
                info.file_size, info.item_count, write_ms, open_us, info.kernels);
  }

  std::vector<barista_recommendation> top;
  for (const Scenario& scenario : kScenarios) {
    request.clear();
    if (scenario.user != nullptr) status = request.set_user(scenario.user);
    if (status) status = request.set("hour", scenario.hour);
    std::vector<uint32_t> exclude;
    for (const char* item : scenario.basket) {
      if (status) status = request.add("basket", std::string_view(item));
      uint32_t index = 0;
      if (status && model.find_item(item, &index)) exclude.push_back(index);  // already chosen
    }
    RecommendOptions options;
    options.k = k;
    options.exclude = exclude;
    if (scenario.seasonal_item) options.extra_items.push_back(&seasonal);
    if (status) status = session.recommend(request, options, &top);
    if (!status) return fail(status.message());

    if (json) {
      out.begin_object().key("customer").value(scenario.title).key("top").begin_array();
    } else {
      std::printf("\n%s\n", scenario.title);
    }
    for (size_t i = 0; i < top.size(); ++i) {
      const bool extra = top[i].item >= info.item_count;
      const std::string name = extra ? "pumpkin spice latte (new)" : model.item_id(top[i].item);
      if (json) {
        out.begin_object().key("item").value(name).key("score").value(static_cast<double>(top[i].score)).end_object();
      } else {
        std::printf("  %zu. %-30s %.3f\n", i + 1, name.c_str(), static_cast<double>(top[i].score));
      }
    }
    if (json) out.end_array().end_object();
  }
  if (json) {
    out.end_array().end_object();
    std::printf("%s\n", out.str().c_str());
  } else {
    std::printf("\nnext: barista inspect %s   |   barista recommend %s --user alice --feature hour=20\n", path.c_str(),
                path.c_str());
  }
  return 0;
}

}  // namespace barista::cli
