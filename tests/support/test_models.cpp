#include "support/test_models.h"

#include <doctest/doctest.h>

#include <cmath>

#include "common/random.h"
#include "train/sequence_training.h"

namespace barista_test {

namespace {
const std::vector<std::string> kCategories = {"espresso", "tea", "pastry", "cold", "chocolate", "juice"};
const std::vector<std::string> kTagNames = {"sweet", "bitter", "hot", "iced", "vegan", "new", "spiced"};
const std::vector<std::string> kDevices = {"kiosk", "phone", "till"};
}  // namespace

ModelSpec random_test_model(uint64_t seed, const TestModelOptions& options) {
  TestRandom random(seed);
  ModelSpec spec;
  spec.metadata.name = "test-model";
  spec.metadata.version = "7";
  spec.metadata.description = "every feature kind";
  spec.metadata.created_unix = 1700000000;
  spec.metadata.training_config = "{\"epochs\": 3}";
  spec.metadata.metrics = {{"auc", 0.75}, {"hr@10", 0.125}};
  spec.metadata.data_fingerprint = "abc123";
  spec.metadata.properties = {{"owner", "tests"}};

  spec.add_categorical_input("user_id", fb::Source::User);
  spec.add_categorical_input("history", fb::Source::User, 10);
  spec.add_numeric_input("hour", fb::Source::Context, 12.0f);
  spec.add_categorical_input("device", fb::Source::Context);
  spec.add_categorical_input("item_id", fb::Source::Item);
  spec.add_categorical_input("category", fb::Source::Item);
  spec.add_categorical_input("tags", fb::Source::Item, 4);
  spec.add_numeric_input("price", fb::Source::Item, 3.0f);
  spec.user_id_input = kUserId;
  spec.item_id_input = kItemId;

  CatalogSpec& catalog = spec.catalog;
  std::vector<std::string> item_names;
  for (uint32_t i = 0; i < options.items; ++i) {
    if (options.integer_item_ids) {
      catalog.int_ids.push_back(7 * static_cast<int64_t>(i) - 200);  // includes negatives
      item_names.push_back(std::to_string(catalog.int_ids.back()));
    } else {
      catalog.ids.push_back("item-" + std::to_string(i));
      item_names.push_back(catalog.ids.back());
    }
  }

  auto column = [&](const char* name, fb::ColumnKind kind, uint32_t in, uint64_t buckets) {
    return spec.add_column(name, kind, in, buckets);
  };
  const uint32_t c_user = column("user_id", fb::ColumnKind::Hashed, kUserId, 97);
  const uint32_t c_history = column("history", fb::ColumnKind::Hashed, kHistory, 89);
  const uint32_t c_hour = column("hour", fb::ColumnKind::Numeric, kHour, 0);
  spec.columns[c_hour].mean = 12.0f;
  spec.columns[c_hour].stddev = 5.0f;
  const uint32_t c_hour_bucket = column("hour_bucket", fb::ColumnKind::Bucketized, kHour, 0);
  spec.columns[c_hour_bucket].boundaries = {6.0f, 11.0f, 14.0f, 18.0f};
  const uint32_t c_device = column("device", fb::ColumnKind::Vocabulary, kDevice, 0);  // no OOV: unknown drops
  spec.columns[c_device].vocabulary = kDevices;
  const uint32_t c_item = column("item_id", fb::ColumnKind::Vocabulary, kItemId, 3);
  if (options.integer_item_ids) {
    spec.columns[c_item].int_vocabulary = catalog.int_ids;
  } else {
    spec.columns[c_item].vocabulary = item_names;
  }
  const uint32_t c_category = column("category", fb::ColumnKind::Hashed, kCategory, 13);
  const uint32_t c_tags = column("tags", fb::ColumnKind::Vocabulary, kTags, 2);
  spec.columns[c_tags].vocabulary = kTagNames;
  const uint32_t c_price = column("price", fb::ColumnKind::Numeric, kPrice, 0);
  spec.columns[c_price].mean = 3.0f;
  spec.columns[c_price].stddev = 1.5f;
  const uint32_t c_user_item = column("user_x_item", fb::ColumnKind::Crossed, 0, 211);
  spec.columns[c_user_item].crossed = {c_user, c_item};
  const uint32_t c_history_item = column("history_x_item", fb::ColumnKind::Crossed, 0, 307);
  spec.columns[c_history_item].crossed = {c_history, c_item};
  // Item component first, request after it: the chain cannot be started per
  // request, exercising the general mixed path.
  const uint32_t c_category_hour = column("category_x_hour", fb::ColumnKind::Crossed, 0, 31);
  spec.columns[c_category_hour].crossed = {c_category, c_hour_bucket};
  spec.columns[c_category_hour].hash_key = 12345;
  const uint32_t c_tags_category = column("tags_x_category", fb::ColumnKind::Crossed, 0, 41);  // item only
  spec.columns[c_tags_category].crossed = {c_tags, c_category};
  const uint32_t c_user_device = column("user_x_device", fb::ColumnKind::Crossed, 0, 53);  // request only
  spec.columns[c_user_device].crossed = {c_user, c_device};
  const uint32_t c_device_user_item = column("device_x_user_x_item", fb::ColumnKind::Crossed, 0, 59);
  spec.columns[c_device_user_item].crossed = {c_device, c_user, c_item};

  // The history's most recent values by position (format 2): the last item
  // (a vocabulary, crossed with the candidate) and the one before it
  // (hashed). Appended, so that the columns above keep their indices.
  uint32_t c_last = 0, c_second_last = 0, c_last_item = 0;
  if (options.positions) {
    c_last = column("last_item", fb::ColumnKind::Vocabulary, kHistory, 2);
    spec.columns[c_last].vocabulary = item_names;
    if (options.integer_item_ids) {
      spec.columns[c_last].vocabulary.clear();
      spec.columns[c_last].int_vocabulary = catalog.int_ids;
    }
    spec.columns[c_last].position = 1;
    c_second_last = column("second_last_item", fb::ColumnKind::Hashed, kHistory, 61);
    spec.columns[c_second_last].position = 2;
    c_last_item = column("last_item_x_item", fb::ColumnKind::Crossed, 0, 127);
    spec.columns[c_last_item].crossed = {c_last, c_item};
  }

  const float s = options.weight_scale;
  auto term = [&](uint32_t c, fb::Combiner combiner) {
    WideTermSpec t;
    t.column = c;
    t.combiner = combiner;
    const uint64_t n = spec.columns[c].kind == fb::ColumnKind::Numeric ? 1 : spec.columns[c].cardinality();
    t.weights.resize(n);
    for (float& w : t.weights) w = random.symmetric(s);
    spec.wide.push_back(t);
  };
  spec.wide_bias = -0.3f;
  term(c_user, fb::Combiner::Sum);
  term(c_history, fb::Combiner::Sqrtn);
  term(c_hour, fb::Combiner::Sum);
  term(c_hour_bucket, fb::Combiner::Sum);
  term(c_device, fb::Combiner::Sum);
  term(c_item, fb::Combiner::Sum);
  term(c_category, fb::Combiner::Sum);
  term(c_tags, fb::Combiner::Mean);
  term(c_price, fb::Combiner::Sum);
  term(c_user_item, fb::Combiner::Sum);
  term(c_history_item, fb::Combiner::Mean);
  term(c_category_hour, fb::Combiner::Sum);
  term(c_tags_category, fb::Combiner::Sqrtn);
  term(c_user_device, fb::Combiner::Sum);
  term(c_device_user_item, fb::Combiner::Sum);
  if (options.positions) {
    term(c_last, fb::Combiner::Sum);
    term(c_second_last, fb::Combiner::Sum);
    term(c_last_item, fb::Combiner::Sum);
  }

  auto deep = [&](uint32_t c, uint32_t dim, fb::Combiner combiner) {
    DeepInputSpec d;
    d.column = c;
    d.combiner = combiner;
    d.dim = dim;
    d.embedding.resize(spec.columns[c].cardinality() * dim);
    for (float& v : d.embedding) v = random.symmetric(s);
    spec.deep.push_back(d);
    return dim == 0 ? 1u : dim;
  };
  uint32_t width = 0;
  width += deep(c_user, 6, fb::Combiner::Sum);
  width += deep(c_history, 5, fb::Combiner::Mean);
  if (options.sequence_blocks > 0) {
    Random encoder_random(seed + 1);
    SequenceEncoderSpec& sequence = spec.deep.back().sequence;
    init_sequence_encoder(8, 5, options.sequence_blocks, &encoder_random, &sequence);
    for (float& v : sequence.params) v += 0.2f * static_cast<float>(encoder_random.normal());
  }
  width += deep(c_hour, 0, fb::Combiner::Sum);
  width += deep(c_hour_bucket, 3, fb::Combiner::Sum);
  width += deep(c_user_device, 2, fb::Combiner::Sum);
  if (options.positions) {
    width += deep(c_last, 4, fb::Combiner::Sum);
    width += deep(c_second_last, 3, fb::Combiner::Sum);
  }
  width += deep(c_item, 7, fb::Combiner::Sum);
  width += deep(c_category, 3, fb::Combiner::Sum);
  width += deep(c_tags, 4, fb::Combiner::Sqrtn);
  width += deep(c_price, 0, fb::Combiner::Sum);
  width += deep(c_tags_category, 2, fb::Combiner::Mean);
  std::vector<uint32_t> sizes = options.hidden;
  sizes.push_back(1);
  for (size_t l = 0; l < sizes.size(); ++l) {
    DenseSpec layer;
    layer.in = width;
    layer.out = sizes[l];
    layer.relu = l + 1 < sizes.size();
    layer.weights.resize(size_t{layer.in} * layer.out);
    for (float& w : layer.weights) w = random.symmetric(s * 2.0f / std::sqrt(static_cast<float>(layer.in)));
    layer.bias.resize(layer.out);
    for (float& b : layer.bias) b = random.symmetric(0.1f);
    spec.layers.push_back(layer);
    width = layer.out;
  }

  auto& categories = catalog.categorical[kCategory];
  auto& tags = catalog.categorical[kTags];
  auto& prices = catalog.numeric[kPrice];
  for (uint32_t i = 0; i < options.items; ++i) {
    categories.push_back({kCategories[random.below(kCategories.size())]});
    std::vector<std::string> item_tags;
    const uint64_t count = random.below(4);  // 0..3 tags, sometimes an unknown one
    for (uint64_t t = 0; t < count; ++t) {
      item_tags.push_back(random.below(8) == 0 ? "mystery" : kTagNames[random.below(kTagNames.size())]);
    }
    tags.push_back(item_tags);
    prices.push_back(static_cast<float>(1.0 + 4.0 * random.uniform()));
  }
  return spec;
}

namespace {
std::string item_name(const ModelSpec& spec, uint64_t i) {
  return spec.catalog.int_ids.empty() ? spec.catalog.ids[i] : std::to_string(spec.catalog.int_ids[i]);
}
}  // namespace

Values random_request(const ModelSpec& spec, uint64_t seed) {
  TestRandom random(seed + 17);
  Values v;
  if (random.below(5) != 0) v.categorical[kUserId] = {"user-" + std::to_string(random.below(40))};
  const uint64_t history = random.below(6);
  for (uint64_t i = 0; i < history; ++i) {
    v.categorical[kHistory].push_back(random.below(6) == 0 ? "never-seen"
                                                           : item_name(spec, random.below(spec.catalog.size())));
  }
  if (random.below(4) != 0) v.numeric[kHour] = 24.0 * random.uniform();
  const uint64_t device = random.below(5);
  if (device < 3) v.categorical[kDevice] = {kDevices[device]};
  if (device == 3) v.categorical[kDevice] = {"toaster"};  // not in the vocabulary, no OOV buckets
  return v;
}

Values random_item(const ModelSpec& spec, uint64_t seed) {
  (void)spec;
  TestRandom random(seed + 991);
  Values v;
  v.categorical[kItemId] = {"new-item-" + std::to_string(random.below(1000))};
  v.categorical[kCategory] = {kCategories[random.below(kCategories.size())]};
  const uint64_t count = random.below(4);
  for (uint64_t t = 0; t < count; ++t) v.categorical[kTags].push_back(kTagNames[random.below(kTagNames.size())]);
  if (random.below(3) != 0) v.numeric[kPrice] = 1.0 + 4.0 * random.uniform();
  return v;
}

std::unique_ptr<Model> open_spec(const ModelSpec& spec, std::vector<uint8_t>* storage, const WriteOptions& options,
                                 const char* kernels) {
  const Status written = write_model(spec, options, storage);
  REQUIRE_MESSAGE(written.ok(), written.message());
  std::unique_ptr<Model> model;
  OpenOptions open;
  open.verify_full = true;
  open.kernels = kernels;
  const Status opened = Model::open_buffer(storage->data(), storage->size(), open, &model);
  REQUIRE_MESSAGE(opened.ok(), opened.message());
  return model;
}

void reseal_checksum(std::vector<uint8_t>* bytes) {
  uint64_t checksum = 0;
  REQUIRE(file_checksum(bytes->data(), bytes->size(), &checksum));
  REQUIRE(fb::GetMutableModel(bytes->data())->mutate_checksum(checksum));
}

void fill_bag(const Values& values, FeatureBag* bag) {
  for (const auto& [input, list] : values.categorical) {
    for (const std::string& value : list) {
      const Status s = bag->add_string(bag->model().inputs()[input].name, value);
      REQUIRE_MESSAGE(s.ok(), s.message());
    }
  }
  for (const auto& [input, number] : values.numeric) {
    const Status s = bag->set_number(input, number);
    REQUIRE_MESSAGE(s.ok(), s.message());
  }
}

std::unique_ptr<ServingIndex> serving_index(const Model& model) {
  std::unique_ptr<ServingIndex> index;
  const Status status = ServingIndex::build(model, &index);
  REQUIRE_MESSAGE(status.ok(), status.message());
  return index;
}

}  // namespace barista_test
