#include "samples/coffee_model.h"

#include <algorithm>
#include <string>

#include "common/random.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

struct MenuItem {
  const char* name;
  const char* category;
  float price;
  std::vector<std::string> flavors;
};

const std::vector<MenuItem>& menu() {
  static const std::vector<MenuItem> items = {
      {"espresso", "espresso", 2.2f, {"bitter"}},
      {"americano", "espresso", 2.6f, {"bitter"}},
      {"cappuccino", "espresso", 3.2f, {"milky"}},
      {"latte", "espresso", 3.4f, {"milky"}},
      {"flat white", "espresso", 3.3f, {"milky"}},
      {"dark chocolate mocha", "chocolate", 4.1f, {"chocolate", "bitter"}},
      {"hot chocolate", "chocolate", 3.5f, {"chocolate", "sweet"}},
      {"white mocha", "chocolate", 4.2f, {"chocolate", "sweet", "milky"}},
      {"earl grey", "tea", 2.4f, {"floral"}},
      {"green tea", "tea", 2.4f, {"grassy"}},
      {"chai latte", "tea", 3.6f, {"spiced", "milky"}},
      {"matcha latte", "tea", 3.9f, {"grassy", "milky"}},
      {"iced latte", "cold", 3.8f, {"milky"}},
      {"cold brew", "cold", 3.9f, {"bitter"}},
      {"berry smoothie", "cold", 4.5f, {"fruity"}},
      {"fruit frappe with sprinkles", "cold", 4.8f, {"fruity", "sweet", "sprinkles"}},
      {"croissant", "pastry", 2.5f, {"buttery"}},
      {"pain au chocolat", "pastry", 2.8f, {"chocolate", "buttery"}},
      {"blueberry muffin", "pastry", 2.9f, {"fruity", "sweet"}},
      {"cinnamon roll", "pastry", 3.1f, {"spiced", "sweet"}},
      {"almond biscotti", "pastry", 1.9f, {"nutty"}},
      {"banana bread", "pastry", 3.0f, {"sweet", "nutty"}},
  };
  return items;
}

const std::vector<std::string> kCategoryNames = {"espresso", "chocolate", "tea", "cold", "pastry"};
const std::vector<std::string> kFlavorNames = {"bitter", "milky",  "chocolate", "sweet",   "floral", "grassy",
                                               "spiced", "fruity", "sprinkles", "buttery", "nutty"};

// Input and column numbers of the demo spec.
enum Input : uint32_t { kUser, kBasket, kHour, kItem, kCategory, kFlavors, kPrice };
enum Column : uint32_t {
  cUser,
  cBasket,
  cHour,
  cHourBucket,
  cItem,
  cCategory,
  cFlavors,
  cPrice,
  cUserCategory,
  cUserFlavor,
  cBasketItem,
  cHourCategory
};

uint32_t position(const std::vector<std::string>& list, const std::string& value) {
  return static_cast<uint32_t>(std::find(list.begin(), list.end(), value) - list.begin());
}

// The wide weight index of a cross, computed exactly as the runtime does:
// a fingerprint chain over the components' cross values (raw values for
// hashed columns, decimal ids for vocabulary and bucketized ones).
uint64_t cross_id(const ColumnSpec& cross, const std::vector<uint64_t>& component_values) {
  uint64_t h = cross.hash_key;
  for (uint64_t v : component_values) h = fingerprint_cat64(h, v);
  return h % cross.buckets;
}
uint64_t raw(const std::string& value) { return fingerprint64(value); }
uint64_t id(uint32_t vocabulary_id) { return fingerprint64_of_int(vocabulary_id); }

}  // namespace

ModelSpec make_coffee_model() {
  ModelSpec spec;
  spec.metadata.name = "coffee-shop-demo";
  spec.metadata.version = "1";
  spec.metadata.description =
      "Hand-set demo model: a coffee shop menu, four regulars' tastes, basket pairings and hours.";
  spec.metadata.created_unix = 1795824000;  // fixed, so the demo file is reproducible
  spec.metadata.training_config = "{\"trainer\": \"none (hand-set weights)\"}";
  spec.metadata.properties = {{"shop", "barista demo"}};

  spec.add_categorical_input("user_id", fb::Source::User);
  spec.add_categorical_input("basket", fb::Source::User, 20);
  spec.add_numeric_input("hour", fb::Source::Context, 12.0f);
  spec.add_categorical_input("item_id", fb::Source::Item);
  spec.add_categorical_input("category", fb::Source::Item);
  spec.add_categorical_input("flavors", fb::Source::Item, 8);
  spec.add_numeric_input("price", fb::Source::Item, 3.3f);
  spec.user_id_input = kUser;
  spec.item_id_input = kItem;

  std::vector<std::string> names;
  for (const MenuItem& item : menu()) names.push_back(item.name);
  // References into these vectors are held below while more are added.
  spec.columns.reserve(16);
  spec.wide.reserve(16);

  auto column = [&](const char* name, fb::ColumnKind kind, uint32_t in, uint64_t buckets) -> ColumnSpec& {
    return spec.columns[spec.add_column(name, kind, in, buckets)];
  };
  column("user_id", fb::ColumnKind::Hashed, kUser, 4096);
  column("basket", fb::ColumnKind::Hashed, kBasket, 4096);
  ColumnSpec& hour = column("hour", fb::ColumnKind::Numeric, kHour, 0);
  hour.mean = 13.0f;
  hour.stddev = 4.0f;
  column("hour_bucket", fb::ColumnKind::Bucketized, kHour, 0).boundaries = {11.0f, 14.0f, 17.0f};
  column("item_id", fb::ColumnKind::Vocabulary, kItem, 1).vocabulary = names;
  column("category", fb::ColumnKind::Vocabulary, kCategory, 1).vocabulary = kCategoryNames;
  column("flavors", fb::ColumnKind::Vocabulary, kFlavors, 1).vocabulary = kFlavorNames;
  ColumnSpec& price = column("price", fb::ColumnKind::Numeric, kPrice, 0);
  price.mean = 3.3f;
  price.stddev = 0.8f;
  column("user_x_category", fb::ColumnKind::Crossed, 0, 4096).crossed = {cUser, cCategory};
  column("user_x_flavor", fb::ColumnKind::Crossed, 0, 4096).crossed = {cUser, cFlavors};
  column("basket_x_item", fb::ColumnKind::Crossed, 0, 4096).crossed = {cBasket, cItem};
  column("hour_x_category", fb::ColumnKind::Crossed, 0, 64).crossed = {cHourBucket, cCategory};

  // Wide part: what a barista remembers.
  auto term = [&](uint32_t c, fb::Combiner combiner) -> std::vector<float>& {
    WideTermSpec t;
    t.column = c;
    t.combiner = combiner;
    const uint64_t n = spec.columns[c].kind == fb::ColumnKind::Numeric ? 1 : spec.columns[c].cardinality();
    t.weights.assign(n, 0.0f);
    spec.wide.push_back(t);
    return spec.wide.back().weights;
  };
  spec.wide_bias = -2.5f;
  std::vector<float>& category = term(cCategory, fb::Combiner::Sum);
  category[position(kCategoryNames, "espresso")] = 0.4f;
  category[position(kCategoryNames, "pastry")] = 0.1f;
  category[position(kCategoryNames, "cold")] = -0.2f;
  term(cPrice, fb::Combiner::Sum)[0] = -0.25f;  // a little cheaper sells a little better

  std::vector<float>& user_category = term(cUserCategory, fb::Combiner::Sum);
  std::vector<float>& user_flavor = term(cUserFlavor, fb::Combiner::Sum);
  const ColumnSpec& uc = spec.columns[cUserCategory];
  const ColumnSpec& uf = spec.columns[cUserFlavor];
  auto likes_category = [&](const char* user, const char* cat, float w) {
    user_category[cross_id(uc, {raw(user), id(position(kCategoryNames, cat))})] += w;
  };
  auto likes_flavor = [&](const char* user, const char* flavor, float w) {
    user_flavor[cross_id(uf, {raw(user), id(position(kFlavorNames, flavor))})] += w;
  };
  // alice: chocolate, bitter; never the fruity thing with sprinkles.
  likes_category("alice", "chocolate", 2.2f);
  likes_flavor("alice", "bitter", 0.8f);
  likes_flavor("alice", "fruity", -1.5f);
  likes_flavor("alice", "sprinkles", -2.0f);
  // bob: tea, grassy.
  likes_category("bob", "tea", 2.0f);
  likes_flavor("bob", "grassy", 1.2f);
  // carol: cold drinks and pastries, sweet.
  likes_category("carol", "cold", 1.6f);
  likes_category("carol", "pastry", 1.0f);
  likes_flavor("carol", "sweet", 0.8f);
  // dave: anything spiced.
  likes_flavor("dave", "spiced", 2.4f);
  likes_flavor("dave", "milky", 0.6f);

  std::vector<float>& basket_item = term(cBasketItem, fb::Combiner::Sum);
  const ColumnSpec& bi = spec.columns[cBasketItem];
  auto goes_with = [&](const char* in_basket, const char* candidate, float w) {
    basket_item[cross_id(bi, {raw(in_basket), id(position(names, candidate))})] += w;
  };
  goes_with("croissant", "cappuccino", 1.8f);
  goes_with("croissant", "latte", 1.2f);
  goes_with("pain au chocolat", "hot chocolate", 1.5f);
  goes_with("cinnamon roll", "chai latte", 1.6f);
  goes_with("espresso", "almond biscotti", 1.7f);
  goes_with("blueberry muffin", "iced latte", 1.0f);
  for (const MenuItem& item : menu()) goes_with(item.name, item.name, -1.0f);  // one of each is enough

  std::vector<float>& hour_category = term(cHourCategory, fb::Combiner::Sum);
  const ColumnSpec& hc = spec.columns[cHourCategory];
  auto sells_at = [&](uint32_t bucket, const char* cat, float w) {
    hour_category[cross_id(hc, {id(bucket), id(position(kCategoryNames, cat))})] += w;
  };
  sells_at(0, "espresso", 0.8f);  // morning
  sells_at(0, "pastry", 0.6f);
  sells_at(1, "cold", 0.3f);  // lunch
  sells_at(2, "cold", 0.8f);  // afternoon
  sells_at(2, "tea", 0.5f);
  sells_at(3, "chocolate", 0.7f);  // evening
  sells_at(3, "tea", 0.4f);

  // Deep part: small seeded weights (generalization from item attributes;
  // in a trained model this is where new items borrow from similar ones).
  Random random(20261128);
  auto deep_input = [&](uint32_t c, uint32_t dim, fb::Combiner combiner) {
    DeepInputSpec d;
    d.column = c;
    d.combiner = combiner;
    d.dim = dim;
    if (dim > 0) {
      d.embedding.resize(spec.columns[c].cardinality() * dim);
      for (float& v : d.embedding) v = random.symmetric(0.3f);
    }
    spec.deep.push_back(d);
  };
  deep_input(cBasket, 8, fb::Combiner::Mean);
  deep_input(cHour, 0, fb::Combiner::Sum);
  deep_input(cItem, 8, fb::Combiner::Sum);
  deep_input(cCategory, 4, fb::Combiner::Sum);
  deep_input(cFlavors, 4, fb::Combiner::Mean);
  deep_input(cPrice, 0, fb::Combiner::Sum);
  const uint32_t width = 8 + 1 + 8 + 4 + 4 + 1;
  auto dense = [&](uint32_t in, uint32_t out, fb::Activation activation, float scale) {
    DenseSpec d;
    d.in = in;
    d.out = out;
    d.relu = activation == fb::Activation::Relu;
    d.weights.resize(size_t{in} * out);
    for (float& v : d.weights) v = random.symmetric(scale);
    d.bias.assign(out, 0.05f);
    spec.layers.push_back(d);
  };
  dense(width, 16, fb::Activation::Relu, 0.4f);
  dense(16, 1, fb::Activation::None, 0.3f);

  // The catalog: the menu.
  CatalogSpec& catalog = spec.catalog;
  catalog.ids = names;
  auto& categories = catalog.categorical[kCategory];
  auto& flavors = catalog.categorical[kFlavors];
  auto& prices = catalog.numeric[kPrice];
  for (const MenuItem& item : menu()) {
    categories.push_back({item.category});
    flavors.push_back(item.flavors);
    prices.push_back(item.price);
  }
  return spec;
}

}  // namespace barista::cli
