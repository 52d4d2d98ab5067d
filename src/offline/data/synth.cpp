#include "data/synth.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "common/random.h"

namespace barista::internal {

namespace {

struct Category {
  const char* name;
  std::vector<const char*> bases;
  float price;
  int peak_hour;   // when it sells best
  int pairs_with;  // the category a basket often adds after it (-1: none)
};

// Flavors combine with bases into menu items ("hazelnut latte").
const std::vector<const char*> kFlavors = {"classic",  "vanilla", "hazelnut", "caramel", "dark chocolate",
                                           "cinnamon", "honey",   "berry",    "almond",  "coconut"};

std::vector<Category> categories() {
  return {
      {"espresso", {"espresso", "latte", "cappuccino", "flat white", "americano"}, 3.0f, 8, 5},
      {"chocolate", {"mocha", "hot chocolate"}, 3.8f, 16, 6},
      {"tea", {"black tea", "green tea", "chai"}, 2.8f, 15, 5},
      {"cold", {"iced latte", "cold brew", "frappe"}, 4.2f, 14, -1},
      {"smoothie", {"smoothie", "juice"}, 4.5f, 12, -1},
      {"pastry", {"croissant", "muffin", "scone", "cinnamon roll"}, 2.7f, 9, 0},
      {"cake", {"cake slice", "brownie", "cookie"}, 3.2f, 16, 2},
      {"sandwich", {"sandwich", "bagel"}, 5.5f, 12, 4},
  };
}

const std::vector<const char*> kRegions = {"north", "south", "east", "west", "center"};

Status cannot_write(const std::string& what) {
  return make_error(BARISTA_STATUS_IO_ERROR, "cannot write %s: %s", what.c_str(), std::strerror(errno));
}

Status make_directory(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return make_error(BARISTA_STATUS_IO_ERROR, "cannot create the directory '%s': %s", path.c_str(),
                      std::strerror(errno));
  }
  return Status();
}

const char* kConfig = R"({
  // Synthetic coffee-shop data written by `barista synth`.
  "name": "coffee-shop",
  "data": {
    "interactions": {"path": "interactions.csv", "user": "user", "item": "item", "time": "time"},
    "items": {"path": "items.csv", "id": "item"},
    "users": {"path": "users.csv", "id": "user"}
  },
  // Some examples train without the user id, so that anonymous customers
  // are served from what they just chose.
  "user_id": {"embedding": 16, "wide": true, "dropout": 0.2},
  "item_id": {"embedding": 16, "wide": true},
  "history": {"length": 5, "embedding": 16},
  "features": [
    {"name": "category", "source": "item", "type": "vocabulary", "embedding": 8},
    {"name": "flavor", "source": "item", "type": "vocabulary", "embedding": 4},
    {"name": "price", "source": "item", "type": "numeric"},
    {"name": "region", "source": "user", "type": "vocabulary", "embedding": 4},
    {"name": "hour", "source": "context", "type": "bucketized", "boundaries": [10, 12, 14, 17], "embedding": 4}
  ],
  "crosses": [
    {"columns": ["history", "item_id"], "buckets": 50000},
    {"columns": ["history", "category"], "buckets": 10000},
    {"columns": ["user_id", "category"], "buckets": 50000},
    {"columns": ["hour", "category"], "buckets": 1000}
  ],
  "deep": {"hidden": [64, 32]},
  "training": {"epochs": 6, "negatives": 4, "batch_size": 256, "seed": 1}
}
)";

}  // namespace

Status write_synthetic_data(const SynthOptions& options, const std::string& directory, SynthSummary* summary) {
  BARISTA_RETURN_IF_ERROR(make_directory(directory));
  Random random = Random::salted(options.seed);
  const std::vector<Category> cats = categories();
  constexpr int kDims = 6;

  // Menu: flavor x base, each category a latent direction.
  std::vector<std::vector<double>> centroid(cats.size(), std::vector<double>(kDims));
  for (auto& c : centroid) {
    for (double& x : c) x = random.normal();
  }
  struct Item {
    std::string id, flavor;
    int category;
    float price;
    std::vector<double> vector;
    double log_popularity;
  };
  std::vector<Item> items;
  for (size_t c = 0; c < cats.size(); ++c) {
    for (const char* base : cats[c].bases) {
      for (const char* flavor : kFlavors) {
        Item item;
        item.id = std::string(flavor) + " " + base;
        item.flavor = flavor;
        item.category = static_cast<int>(c);
        item.price = std::round((cats[c].price + 0.8f * static_cast<float>(random.uniform()) +
                                 (std::string(flavor) == "classic" ? -0.4f : 0.0f)) *
                                10.0f) /
                     10.0f;
        item.vector = centroid[c];
        for (double& x : item.vector) x += 0.6 * random.normal();
        items.push_back(item);
      }
    }
  }
  // Long-tailed popularity: Zipf over a random order.
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
  for (size_t r = 0; r < order.size(); ++r)
    items[order[r]].log_popularity = -1.0 * std::log(static_cast<double>(r) + 3.0);

  std::ofstream item_file(directory + "/items.csv", std::ios::binary);
  if (!item_file) return cannot_write(directory + "/items.csv");
  item_file << "item,category,flavor,price\n";
  for (const Item& item : items) {
    item_file << '"' << item.id << "\"," << cats[static_cast<size_t>(item.category)].name << ",\"" << item.flavor
              << "\"," << item.price << "\n";
  }

  // Users: one or two favorite categories; the region hints at the first.
  std::ofstream user_file(directory + "/users.csv", std::ios::binary);
  std::ofstream log(directory + "/interactions.csv", std::ios::binary);
  if (!user_file) return cannot_write(directory + "/users.csv");
  if (!log) return cannot_write(directory + "/interactions.csv");
  user_file << "user,region\n";
  log << "user,item,time,hour\n";
  uint64_t interactions = 0;
  std::vector<double> logits(items.size());
  for (uint32_t u = 0; u < options.users; ++u) {
    const size_t favorite = random.below(cats.size());
    const size_t second = random.below(cats.size());
    std::vector<double> taste(kDims, 0.0);
    for (int d = 0; d < kDims; ++d) {
      taste[d] = centroid[favorite][d] + 0.5 * centroid[second][d] + 0.3 * random.normal();
    }
    const char* region =
        random.uniform() < 0.7 ? kRegions[favorite % kRegions.size()] : kRegions[random.below(kRegions.size())];
    const std::string user = "user-" + std::to_string(u);
    user_file << user << "," << region << "\n";
    const int morning_person = random.uniform() < 0.5 ? -2 : 2;
    int64_t time = 1700000000 + static_cast<int64_t>(random.below(30 * 86400));
    const uint32_t sessions = 2 + static_cast<uint32_t>(random.below(2 * options.sessions_per_user - 2));
    std::vector<size_t> bought;
    for (uint32_t s = 0; s < sessions; ++s) {
      time += 3600 + static_cast<int64_t>(-std::log(1.0 - random.uniform()) * 3.0 * 86400.0);
      const int hour = std::clamp(7 + static_cast<int>(random.below(12)) + morning_person / 2, 6, 21);
      const size_t basket = 1 + (random.uniform() < 0.5 ? 1 : 0) + (random.uniform() < 0.15 ? 1 : 0);
      int previous_category = -1;
      for (size_t b = 0; b < basket; ++b) {
        size_t chosen;
        if (!bought.empty() && random.uniform() < 0.25) {  // a regular's usual
          chosen = bought[random.below(bought.size())];
        } else {
          double top = -1e300;
          for (size_t i = 0; i < items.size(); ++i) {
            const Item& item = items[i];
            double affinity = 0.0;
            for (int d = 0; d < kDims; ++d) affinity += taste[d] * item.vector[d];
            double logit = 0.6 * affinity + item.log_popularity;
            const Category& cat = cats[static_cast<size_t>(item.category)];
            logit -= 0.15 * std::abs(hour - cat.peak_hour);  // hour of day
            if (previous_category >= 0) {
              if (cats[static_cast<size_t>(previous_category)].pairs_with == item.category) logit += 2.5;
              if (previous_category == item.category) logit -= 3.0;  // not two of a kind
            }
            logits[i] = logit;
            top = std::max(top, logit);
          }
          double total = 0.0;
          for (double& l : logits) total += (l = std::exp(l - top));
          double r = random.uniform() * total;
          chosen = items.size() - 1;
          for (size_t i = 0; i < items.size(); ++i) {
            r -= logits[i];
            if (r <= 0) {
              chosen = i;
              break;
            }
          }
        }
        bought.push_back(chosen);
        previous_category = items[chosen].category;
        log << user << ",\"" << items[chosen].id << "\"," << (time + static_cast<int64_t>(b)) << "," << hour << "\n";
        ++interactions;
      }
    }
  }
  std::ofstream config(directory + "/config.json", std::ios::binary);
  if (!config) return cannot_write(directory + "/config.json");
  config << kConfig;
  // errno after a failed write or close says why (ENOSPC, EIO).
  for (std::ofstream* file : {&item_file, &user_file, &log, &config}) file->close();
  if (!item_file || !user_file || !log || !config) return cannot_write("the synthetic data into '" + directory + "'");
  summary->users = options.users;
  summary->items = static_cast<uint32_t>(items.size());
  summary->interactions = interactions;
  return Status();
}

}  // namespace barista::internal
