// The training configuration: where the data is, which features to build
// (src/README.md, 'The model'), and how to train. Read from a JSON file (comments
// allowed); every error names the offending key, e.g.
// "features[1].type: expected one of vocabulary, hashed, numeric, bucketized".
// README.md documents every key and its default.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/json.h"

namespace barista::internal {

enum class FeatureSource { User, Context, Item };
enum class FeatureType { Vocabulary, Hashed, Numeric, Bucketized };
enum class CombinerName { Sum, Mean, Sqrtn };

// How an item feature read from the interactions file (there is no items
// file) becomes one value per item, over the item's rows in file order.
enum class Aggregate { Default, MostFrequent, First, Last, Median, Mean };

struct FeatureConfig {
  std::string name;
  FeatureSource source = FeatureSource::Item;
  std::string column;        // in the source's CSV file
  // Item features without an items file: categorical values default to the
  // most frequent, numbers to the median.
  Aggregate aggregate = Aggregate::Default;
  std::string separator;     // multi-valent when non-empty ("|")
  uint32_t max_values = 16;  // per example, for multi-valent features
  std::string pattern;       // optional regex; the value is its first group (or match)
  FeatureType type = FeatureType::Vocabulary;
  uint32_t min_count = 1;         // vocabulary: values seen fewer times go to OOV buckets
  uint64_t oov_buckets = 1;       // vocabulary
  uint64_t buckets = 0;           // hashed
  std::vector<float> boundaries;  // bucketized (or computed from quantiles)
  uint32_t quantiles = 0;         // bucketized: boundaries from this many data quantiles
  uint32_t embedding = 0;         // deep part: embedding dimension (0: not in the deep part)
  bool deep = true;               // numeric: also an input of the deep part
  bool wide = true;               // a wide term
  CombinerName combiner = CombinerName::Mean;
};

struct CrossConfig {
  std::vector<std::string> columns;  // feature names (user_id, item_id, history or features[].name)
  uint64_t buckets = 100000;
  // How the wide term combines the cross's ids (a history of n items makes
  // n of them per candidate).
  CombinerName combiner = CombinerName::Sum;
};

struct IdConfig {
  uint32_t embedding = 32;
  bool wide = true;
  uint32_t min_count = 1;  // ids seen fewer times share the OOV buckets
  uint64_t oov_buckets = 1;
  double dropout = 0.0;  // user id only: fraction of training examples without it
};

struct HistoryConfig {
  uint32_t length = 0;  // 0: no history feature
  // The last `slots` items each as a feature of their own, "history@1" (the
  // most recent) to "history@<slots>": an embedding each in the deep part
  // (its own slice of the first layer, so order counts), and names that
  // crosses may use ("history@1" x "item_id": what follows what).
  uint32_t slots = 0;
  uint32_t embedding = 32;
  bool wide = false;
  CombinerName combiner = CombinerName::Mean;
  // Train the history's embeddings tied to the item id's (same space; the
  // file stores a copy). Needs equal dimensions.
  bool share_item_embedding = true;
  // A causal self-attention encoder over the history in order (format 3):
  // `encoder_blocks` blocks replace the pooled history in the deep part;
  // 0 pools. With `encoder_keeps_pooled` the pooled history stays beside
  // the encoding (two slices of the deep input).
  uint32_t encoder_blocks = 0;
  bool encoder_keeps_pooled = false;
  double encoder_dropout = 0.0;  // training only: inverted dropout inside the encoder
};

// Which wide terms on-device learning adjusts per customer (the model file
// flags them). Default: the terms that read the user id or the history,
// and the item id (a per-customer memory of items: "your usual").
struct OnDeviceConfig {
  bool learnable_given = false;
  std::vector<std::string> learnable;  // wide term names: "user_id", "history_x_item_id", ...
};

struct FtrlConfig {
  double learning_rate = 0.05;
  // 0, as TensorFlow's default: gradients are means over a batch, so a beta
  // of the order of one would swamp the per-coordinate rates (on
  // MovieLens-small beta 1 took the wide part alone from HR@10 0.077 to
  // 0.025).
  double beta = 0.0;
  double l1 = 0.0;
  double l2 = 0.0;
};

struct DeepOptimizerConfig {
  enum class Kind { Adam, Adagrad } kind = Kind::Adam;
  double learning_rate = 0.001;
  double beta1 = 0.9;    // Adam
  double beta2 = 0.999;  // Adam
  double epsilon = 1e-7;
  double initial_accumulator = 0.1;  // Adagrad
  double l2 = 0.0;                   // on embeddings rows touched and on layers
};

struct TrainingConfig {
  uint32_t epochs = 8;
  uint32_t batch_size = 256;
  uint32_t negatives = 4;  // per positive (implicit feedback)
  enum class Sampling { Uniform, Popularity } sampling = Sampling::Uniform;
  double popularity_exponent = 0.75;
  // Negatives only among items the user never had in training (a shop's
  // regulars re-buy: an item they had is no evidence of disinterest).
  bool negatives_unseen = false;
  uint64_t seed = 1;
  uint32_t threads = 2;
  FtrlConfig wide;
  DeepOptimizerConfig deep;
  uint32_t patience = 2;             // early stopping: epochs without improvement (0: off)
  uint32_t validation_users = 1000;  // at most this many users validate each epoch
  // What each user's evaluation target is: the last interaction, the last
  // one with an item the user had not had before (a shop's discovery), or
  // none (train on everything).
  enum class Holdout { Last, None, LastNew } holdout = Holdout::Last;
};

// One CSV file of the data.
struct CsvFileConfig {
  std::string path;  // empty: no such file
  char delimiter = ',';
  bool header = true;  // false: the columns are named "1", "2", ... by position
};

// A rule that drops interaction rows before anything reads them (returns,
// guest checkouts, fee codes). A row is dropped when any rule matches it.
struct RowFilter {
  enum class Kind { Prefix, In, Empty, AtMost, AtLeast, Matches };
  std::string column;
  Kind kind = Kind::Empty;
  std::vector<std::string> values;  // Prefix: any of them; In: the set
  double bound = 0.0;               // AtMost, AtLeast (a non-number is a bad row)
  std::string pattern;              // Matches: an ECMAScript regex, searched
};

struct DataConfig {
  CsvFileConfig interactions;
  std::string user_column = "user";
  std::string item_column = "item";
  std::string time_column;        // optional: file order when absent
  std::string label_column;       // optional: explicit labels
  double label_threshold = -1.0;  // >= 0: label = value >= threshold
  std::string weight_column;      // optional
  std::vector<RowFilter> drop;    // interaction rows
  CsvFileConfig items;            // optional
  std::string items_id_column = "item";
  CsvFileConfig users;  // optional
  std::string users_id_column = "user";
  // Users with fewer distinct items are left out of the data entirely
  // (training and evaluation), and so are items only they had.
  uint32_t min_user_items = 1;
  // A user's later interactions with an item they had before: kept as
  // interactions of their own, or dropped (the first one stays).
  enum class Repeats { Keep, First } repeats = Repeats::Keep;
  bool stop_on_bad_rows = false;  // else skip and count them
};

struct TrainConfig {
  std::string base_dir;  // relative paths are resolved against it
  std::string name = "model";
  DataConfig data;
  IdConfig user_id;
  IdConfig item_id;
  HistoryConfig history;
  std::vector<FeatureConfig> features;
  std::vector<CrossConfig> crosses;
  OnDeviceConfig on_device;
  std::vector<uint32_t> hidden = {128, 64};
  TrainingConfig training;
  std::string embeddings = "f32";  // f32, f16, int8
  std::string source_json;         // the configuration as given, for the model's metadata

  std::string path(const std::string& relative) const;
};

// Parses and validates a configuration. `base_dir` resolves relative paths.
Status parse_train_config(const std::string& text, const std::string& base_dir, TrainConfig* out);
// The same from JSON already read, for a configuration edited by key path
// first (config/config_edit.h: train's overrides, tune's trials); the
// model's training_config is then the edited JSON.
Status parse_train_config(const json::Value& root, const std::string& base_dir, TrainConfig* out);
Status load_train_config(const std::string& path, TrainConfig* out);

// Reads a configuration file's JSON, unvalidated, and the folder its
// relative paths are resolved against (the file's). Errors name the file.
Status load_train_config_json(const std::string& path, json::Value* out, std::string* base_dir);

const char* combiner_name(CombinerName c);

// "history@1": the name of the history's slot at a position (1: the most
// recent item).
std::string history_slot_name(uint32_t position);

}  // namespace barista::internal
