// Fuzz target: valid model files carrying hostile values. Byte-level fuzzing
// of model files (model_open) almost never produces a file that passes the
// FlatBuffers verifier and the checksum, so the code behind them (semantic
// checks, feature encoding, scoring, learning) only ever sees the few seeds.
// Here the input bytes instead
//   1. describe a small valid model: user, context and item inputs,
//      categorical and numeric, multi-valent ones up to the limit; columns
//      of every kind (positions, crosses of two to four components, a
//      column crossed with itself); wide terms, several on one column or on
//      copies of one cross; deep inputs; 1-3 dense layers; a catalog of 1 to
//      300 items; F32, F16 or Int8Rowwise embeddings; sequence encoders
//      (format 3) of one or two blocks on request-side categorical deep
//      inputs. The project's own
//      writer turns it into a file;
//   2. overwrite scalars of that file in place with hostile values (indices
//      at and past the end, counts at and past the limits, NaN, infinities,
//      denormals, unknown enum values, slices outside the payload, NaN
//      weights, broken hash index slots), then reseal the checksum the way
//      the writer does, so that the file is still a well-formed FlatBuffer
//      whose checksum full verification accepts;
//   3. open it through the C API and do what a host does: inspect, recommend
//      in both precisions, score catalog and described items, learn with an
//      overlay and score with it, verify; every scoring call twice.
// Statuses are fine. A crash, a sanitizer report, a hang, runaway memory, a
// repeated call whose status differs from the first, or full verification
// at open disagreeing with barista_model_verify() on the open model, is a
// bug.
//
// The model description reads the input from the front, the mutations from
// the back, so that libFuzzer's edits to one half leave the other half's
// meaning alone. Weights come from a generator seeded by one byte: their
// values matter little, and hostile ones are the mutations' job.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "barista.h"
#include "model/model.h"
#include "score_and_learn.h"
#include "writer/model_writer.h"

using namespace barista::internal;

namespace {

// The fuzz input, read from both ends; reads past the end give zeros, so
// every input, even an empty one, describes a model.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), end_(size) {}
  uint8_t front() { return begin_ < end_ ? data_[begin_++] : 0; }
  uint8_t back() { return begin_ < end_ ? data_[--end_] : 0; }

 private:
  const uint8_t* data_;
  size_t begin_ = 0;
  size_t end_;
};

// One end of the input, with the choices the target makes from it.
class Stream {
 public:
  Stream(FuzzInput* input, bool from_back) : input_(input), from_back_(from_back) {}
  // Reads in sequence statements: the operands of `|` may be evaluated in
  // any order, and gcc (replay) and clang (libFuzzer) must read an input
  // the same way.
  uint8_t u8() { return from_back_ ? input_->back() : input_->front(); }
  uint16_t u16() {
    const uint16_t low = u8();
    return static_cast<uint16_t>(low | (u8() << 8));
  }
  uint32_t u32() {
    const uint32_t low = u16();
    return low | (uint32_t{u16()} << 16);
  }
  uint64_t u64() {
    const uint64_t low = u32();
    return low | (uint64_t{u32()} << 32);
  }
  // Uniform enough in [0, n) for n up to 2^16; 0 when n is 0.
  uint32_t below(uint32_t n) { return n <= 1 ? 0 : (n <= 256 ? u8() % n : u16() % n); }
  // In [0, n) for any n: a position in an array of any size.
  uint64_t below64(uint64_t n) { return n <= 1 ? 0 : u64() % n; }
  // True once in `n` times (never when the input is exhausted).
  bool one_in(uint32_t n) { return below(n) == n - 1; }
  bool flag() { return (u8() & 1) != 0; }

 private:
  FuzzInput* input_;
  bool from_back_;
};

// xorshift64 for weights and per-item values.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL) {}
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }
  float symmetric(float scale) {
    return scale * (static_cast<float>(next() >> 40) * 0x1.0p-23f - 1.0f);  // [-scale, scale)
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// 1. A valid model from the front of the input

constexpr uint32_t kMostItems = 300;
const char* const kWords[] = {"a", "b", "c", "d", "e", "f", "g", "h"};

// Which half of the deep input / wide sum a column's values come from (as
// the runtime decides it when the model opens).
Side side_of(const ModelSpec& spec, uint32_t column) {
  const ColumnSpec& c = spec.columns[column];
  if (c.kind != fb::ColumnKind::Crossed) {
    return spec.inputs[c.input].source == fb::Source::Item ? Side::Item : Side::Request;
  }
  bool request = false, item = false;
  for (uint32_t component : c.crossed) (side_of(spec, component) == Side::Item ? item : request) = true;
  return request && item ? Side::Mixed : (item ? Side::Item : Side::Request);
}

// A bucket count: mostly small, sometimes a few thousand.
uint64_t some_buckets(Stream& s) {
  switch (s.below(4)) {
    case 0: return 1 + s.below(4);
    case 1: return 1 + s.below(32);
    case 2: return 1 + s.below(256);
    default: return 1 + s.below(2048);
  }
}

// max_values of a multi-valent input: from a pair up to the limit.
uint32_t some_max_values(Stream& s) {
  switch (s.below(6)) {
    case 0: return 2;
    case 1: return 2 + s.below(8);
    case 2: return 10;
    case 3: return 2 + s.below(300);
    case 4: return 300;
    default: return s.one_in(4) ? 4096 : 255;
  }
}

struct Built {
  ModelSpec spec;
  WriteOptions options;
  std::vector<std::string> values;  // what requests and items say: catalog ids and words
};

// Indices of the inputs of `spec` that satisfy `keep`.
template <class Keep>
std::vector<uint32_t> inputs_where(const ModelSpec& spec, Keep keep) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < spec.inputs.size(); ++i) {
    if (keep(spec.inputs[i])) out.push_back(i);
  }
  return out;
}

template <class T>
const T& pick(Stream& s, const std::vector<T>& from) {
  return from[s.below(static_cast<uint32_t>(from.size()))];
}

void add_inputs(Stream& s, ModelSpec* spec) {
  // The user id and item id inputs land anywhere among the others, so that
  // their indices are often non-zero (stored in the file, hence mutable).
  enum Role { kOther, kUserId, kItemId };
  std::vector<Role> roles(s.below(7), kOther);
  roles.insert(roles.begin() + s.below(static_cast<uint32_t>(roles.size()) + 1), kItemId);
  if (!s.one_in(4)) roles.insert(roles.begin() + s.below(static_cast<uint32_t>(roles.size()) + 1), kUserId);
  for (const Role role : roles) {
    if (role == kUserId) {
      spec->user_id_input = static_cast<int32_t>(spec->add_categorical_input("user_id", fb::Source::User));
    } else if (role == kItemId) {
      spec->item_id_input = spec->add_categorical_input("item_id", fb::Source::Item);
    } else {
      const std::string name = "in" + std::to_string(spec->inputs.size());
      const auto source = static_cast<fb::Source>(s.below(3));
      if (s.below(3) == 0) {
        const float defaults[] = {0.0f, 1.0f, -2.5f, 12.0f, 1e6f, -3e38f};
        spec->add_numeric_input(name, source, defaults[s.below(6)]);
      } else {
        spec->add_categorical_input(name, source, s.below(3) == 0 ? 1 : some_max_values(s));
      }
    }
  }
}

void add_catalog(Stream& s, Random& random, Built* built) {
  ModelSpec& spec = built->spec;
  uint32_t n = 1;
  switch (s.below(4)) {
    case 0: n = 1 + s.below(8); break;
    case 1: n = 1 + s.below(32); break;
    case 2: n = 1 + s.below(128); break;
    default: n = 1 + s.below(kMostItems); break;
  }
  const bool integer_ids = s.one_in(4);
  for (uint32_t i = 0; i < n; ++i) {
    if (integer_ids) {
      spec.catalog.int_ids.push_back(7 * static_cast<int64_t>(i) - 20);  // negatives too
      built->values.push_back(std::to_string(spec.catalog.int_ids.back()));
    } else {
      spec.catalog.ids.push_back("item-" + std::to_string(i));
      built->values.push_back(spec.catalog.ids.back());
    }
  }
  for (const char* word : kWords) built->values.push_back(word);
  // Most items have fewer values than an input allows; some have more
  // (the writer takes them, and an item's cross product grows with them).
  const bool overfull = s.one_in(8);
  for (uint32_t i = 0; i < spec.inputs.size(); ++i) {
    const InputSpec& in = spec.inputs[i];
    if (in.source != fb::Source::Item || i == spec.item_id_input) continue;
    if (in.kind == fb::ValueKind::Numeric) {
      auto& numbers = spec.catalog.numeric[i];
      for (uint32_t item = 0; item < n; ++item) numbers.push_back(random.symmetric(100.0f));
      continue;
    }
    auto& lists = spec.catalog.categorical[i];
    const uint32_t most = std::min<uint32_t>(in.max_values, 6) + (overfull ? 3 : 0);
    for (uint32_t item = 0; item < n; ++item) {
      std::vector<std::string> list;
      const uint32_t count = random.below(most + 1);
      for (uint32_t v = 0; v < count; ++v) {
        list.push_back(built->values[random.below(static_cast<uint32_t>(built->values.size()))]);
      }
      lists.push_back(std::move(list));
    }
  }
}

// Appends one column of a kind chosen by the input, when the model has what
// that kind reads.
void add_column(Stream& s, const std::vector<std::string>& values, ModelSpec* spec) {
  const auto categorical =
      inputs_where(*spec, [](const InputSpec& in) { return in.kind == fb::ValueKind::Categorical; });
  const auto numeric = inputs_where(*spec, [](const InputSpec& in) { return in.kind == fb::ValueKind::Numeric; });
  std::vector<uint32_t> crossable;
  for (uint32_t c = 0; c < spec->columns.size(); ++c) {
    const fb::ColumnKind kind = spec->columns[c].kind;
    if (kind == fb::ColumnKind::Hashed || kind == fb::ColumnKind::Vocabulary || kind == fb::ColumnKind::Bucketized) {
      crossable.push_back(c);
    }
  }
  const std::string name = "c" + std::to_string(spec->columns.size());
  // A position reads one recent value of a multi-valent input (format 2).
  auto some_position = [&](uint32_t input) -> uint32_t {
    const uint32_t max_values = spec->inputs[input].max_values;
    if (max_values < 2 || !s.one_in(3)) return 0;
    return s.flag() ? max_values : 1 + s.below(std::min<uint32_t>(max_values, 8));
  };
  switch (static_cast<fb::ColumnKind>(s.below(5))) {
    case fb::ColumnKind::Hashed: {
      if (categorical.empty()) return;
      const uint32_t input = pick(s, categorical);
      const uint32_t c = spec->add_column(name, fb::ColumnKind::Hashed, input, some_buckets(s));
      spec->columns[c].position = some_position(input);
      return;
    }
    case fb::ColumnKind::Vocabulary: {
      if (categorical.empty()) return;
      const uint32_t input = pick(s, categorical);
      const uint32_t c = spec->add_column(name, fb::ColumnKind::Vocabulary, input, s.below(4));
      ColumnSpec& column = spec->columns[c];
      const uint32_t keys = s.below(12);
      for (uint32_t k = 0; k < keys; ++k) {
        const std::string& key = pick(s, values);
        if (std::find(column.vocabulary.begin(), column.vocabulary.end(), key) == column.vocabulary.end()) {
          column.vocabulary.push_back(key);
        }
      }
      if (column.cardinality() == 0) column.buckets = 1;
      column.position = some_position(input);
      return;
    }
    case fb::ColumnKind::Bucketized: {
      if (numeric.empty()) return;
      const uint32_t c = spec->add_column(name, fb::ColumnKind::Bucketized, pick(s, numeric));
      float boundary = static_cast<float>(static_cast<int8_t>(s.u8()));
      const uint32_t count = 1 + s.below(8);
      for (uint32_t b = 0; b < count; ++b) {
        spec->columns[c].boundaries.push_back(boundary);
        boundary += 0.25f * static_cast<float>(1 + s.below(16));
      }
      return;
    }
    case fb::ColumnKind::Numeric: {
      if (numeric.empty()) return;
      const uint32_t c = spec->add_column(name, fb::ColumnKind::Numeric, pick(s, numeric));
      // Neither at its default, so that both are in the file to mutate.
      spec->columns[c].mean = static_cast<float>(static_cast<int8_t>(s.u8())) + 0.5f;
      spec->columns[c].stddev = 0.125f * static_cast<float>(1 + s.below(64)) + 0.0625f;
      return;
    }
    case fb::ColumnKind::Crossed: {
      if (crossable.empty()) return;
      const uint32_t c = spec->add_column(name, fb::ColumnKind::Crossed, 0, some_buckets(s));
      ColumnSpec& column = spec->columns[c];
      // Components may repeat (history x history): the product of one
      // multi-valent input with itself.
      const uint32_t components = 2 + (s.one_in(3) ? s.below(3) : 0);
      for (uint32_t k = 0; k < components; ++k) column.crossed.push_back(pick(s, crossable));
      if (s.flag()) column.hash_key = s.u64();
      return;
    }
  }
}

std::vector<float> random_weights(Random& random, size_t n, float scale) {
  std::vector<float> w(n);
  for (float& x : w) x = random.symmetric(scale);
  return w;
}

void build_spec(Stream& s, Built* built) {
  ModelSpec& spec = built->spec;
  spec.metadata.name = "fuzz";
  spec.metadata.version = "1";
  spec.metadata.created_unix = 1700000000;  // not the time of writing: the same input, the same file
  Random random(s.u8());
  add_inputs(s, &spec);
  add_catalog(s, random, built);

  // The item id's own column first: every model has one column the deep
  // part can read.
  const fb::ColumnKind item_kind = s.flag() ? fb::ColumnKind::Hashed : fb::ColumnKind::Vocabulary;
  const uint32_t item_column = spec.add_column("item", item_kind, spec.item_id_input, some_buckets(s));
  if (spec.columns[item_column].kind == fb::ColumnKind::Vocabulary) {
    spec.columns[item_column].buckets = s.below(4);
    if (spec.catalog.int_ids.empty()) {
      spec.columns[item_column].vocabulary = spec.catalog.ids;
    } else {
      spec.columns[item_column].int_vocabulary = spec.catalog.int_ids;
    }
  }
  const uint32_t columns = s.below(12);
  for (uint32_t c = 0; c < columns; ++c) add_column(s, built->values, &spec);

  // Wide terms. A term may repeat the previous one's work: on the same
  // column, or on a copy of that column (the same cross many times over,
  // which the runtime cannot tell from distinct crosses).
  const uint32_t terms = s.below(14);
  spec.wide_bias = random.symmetric(1.0f);
  for (uint32_t t = 0; t < terms; ++t) {
    WideTermSpec term;
    term.column = s.below(static_cast<uint32_t>(spec.columns.size()));
    if (!spec.wide.empty() && s.one_in(3)) {
      term.column = spec.wide.back().column;
      if (s.flag()) {
        ColumnSpec copy = spec.columns[term.column];
        copy.name += "-" + std::to_string(spec.columns.size());
        spec.columns.push_back(std::move(copy));
        term.column = static_cast<uint32_t>(spec.columns.size() - 1);
      }
    } else if (std::any_of(spec.wide.begin(), spec.wide.end(),
                           [&](const WideTermSpec& other) { return other.column == term.column; })) {
      continue;  // repeats only when the input asks for them (an exhausted input picks column 0 every time)
    }
    term.combiner = static_cast<fb::Combiner>(s.below(3));
    term.learnable = s.one_in(3);
    const ColumnSpec& column = spec.columns[term.column];
    term.weights = random_weights(random, column.kind == fb::ColumnKind::Numeric ? 1 : column.cardinality(), 0.5f);
    spec.wide.push_back(std::move(term));
  }

  // Deep inputs: columns of one side (a mixed cross cannot split the first
  // layer), request side first.
  std::vector<uint32_t> deepable;
  for (uint32_t c = 0; c < spec.columns.size(); ++c) {
    if (side_of(spec, c) != Side::Mixed) deepable.push_back(c);
  }
  const uint32_t deep_inputs = 1 + s.below(6);
  uint32_t width = 0;
  for (uint32_t d = 0; d < deep_inputs; ++d) {
    DeepInputSpec in;
    in.column = pick(s, deepable);
    in.combiner = static_cast<fb::Combiner>(s.below(3));
    const ColumnSpec& column = spec.columns[in.column];
    if (column.kind != fb::ColumnKind::Numeric) {
      in.dim = 1 + s.below(16);
      in.embedding = random_weights(random, column.cardinality() * in.dim, 0.5f);
      if (side_of(spec, in.column) == Side::Request && s.one_in(3)) {
        in.sequence.length = 1 + s.below(12);
        in.sequence.dim = in.dim;
        in.sequence.blocks = 1 + s.below(2);
        in.sequence.params = random_weights(random, SequenceLayout(in.sequence).total(), 0.5f);
      }
    }
    width += column.kind == fb::ColumnKind::Numeric ? 1 : in.dim;
    spec.deep.push_back(std::move(in));
  }
  std::stable_sort(spec.deep.begin(), spec.deep.end(), [&](const DeepInputSpec& a, const DeepInputSpec& b) {
    return side_of(spec, a.column) != Side::Item && side_of(spec, b.column) == Side::Item;
  });

  const uint32_t hidden = s.below(3);
  for (uint32_t l = 0; l <= hidden; ++l) {
    DenseSpec layer;
    layer.in = width;
    layer.out = l == hidden ? 1 : 1 + s.below(32);
    layer.relu = l < hidden && !s.one_in(4);
    layer.weights =
        random_weights(random, size_t{layer.in} * layer.out, 2.0f / std::sqrt(static_cast<float>(layer.in)));
    layer.bias = random_weights(random, layer.out, 0.1f);
    spec.layers.push_back(std::move(layer));
    width = spec.layers.back().out;
  }

  built->options.embedding_dtype = static_cast<fb::DType>(s.below(3));
  built->options.wide_dtype = s.flag() ? fb::DType::F16 : fb::DType::F32;
}

// Writes the model; when the writer refuses it, writes less of it: without
// the terms that repeat a column, then without wide terms at all. The
// generator means to make only models the writer takes, but what the
// runtime accepts may tighten (repeated terms, say), and a refused spec
// would leave the rest of the input without a model to work on.
bool write_model_or_less(Built* built, std::vector<uint8_t>* bytes) {
  ModelSpec& spec = built->spec;
  if (write_model(spec, built->options, bytes).ok()) return true;
  std::vector<WideTermSpec> distinct;
  for (WideTermSpec& term : spec.wide) {
    const auto same = [&](const WideTermSpec& t) { return t.column == term.column; };
    if (std::none_of(distinct.begin(), distinct.end(), same)) distinct.push_back(std::move(term));
  }
  spec.wide = std::move(distinct);
  if (write_model(spec, built->options, bytes).ok()) return true;
  spec.wide.clear();
  return write_model(spec, built->options, bytes).ok();
}

// ---------------------------------------------------------------------------
// 2. Hostile values from the back of the input

uint32_t hostile_u32(Stream& s, uint32_t current) {
  // Small counts, the limits and one past them (values per input 4096,
  // layer width 16384, cross product 65536, items 2^26), sign and wrap-around.
  static const uint32_t kSpecial[] = {
      0,           1,           2,          3,     7,     255,   256,      4095,           4096,
      4097,        16384,       16385,      65535, 65536, 65537, 1u << 26, (1u << 26) + 1, 1u << 31,
      0x7fffffffu, 0xfffffffeu, 0xffffffffu};
  switch (s.below(4)) {
    case 0: return kSpecial[s.below(sizeof kSpecial / sizeof kSpecial[0])];
    case 1: return current + static_cast<uint32_t>(static_cast<int32_t>(s.below(9)) - 4);  // one off, either way
    case 2: return s.u8();
    default: return s.u32();
  }
}

uint64_t hostile_u64(Stream& s, uint64_t current) {
  // Around 2^31 (a FlatBuffer's largest size, the cardinality limit), 2^32
  // (where 32-bit offsets wrap), and the top bits (where products overflow).
  static const uint64_t kSpecial[] = {0,
                                      1,
                                      2,
                                      65536,
                                      uint64_t{1} << 31,
                                      (uint64_t{1} << 31) + 1,
                                      uint64_t{1} << 32,
                                      (uint64_t{1} << 32) + 1,
                                      uint64_t{1} << 62,
                                      uint64_t{1} << 63,
                                      ~uint64_t{0} - 1,
                                      ~uint64_t{0}};
  switch (s.below(4)) {
    case 0: return kSpecial[s.below(sizeof kSpecial / sizeof kSpecial[0])];
    case 1: return current + static_cast<uint64_t>(static_cast<int64_t>(s.below(9)) - 4);
    case 2: return s.u8();
    default: return s.u64();
  }
}

float hostile_float(Stream& s, float current) {
  // Signed zeros, denormals, the ends of float's range, infinities, NaNs.
  static const float kSpecial[] = {0.0f,
                                   -0.0f,
                                   1.0f,
                                   -1.0f,
                                   std::numeric_limits<float>::denorm_min(),
                                   -std::numeric_limits<float>::denorm_min(),
                                   FLT_MIN,
                                   FLT_MIN / 4,
                                   1e-30f,
                                   1e30f,
                                   -1e30f,
                                   FLT_MAX,
                                   -FLT_MAX,
                                   std::numeric_limits<float>::infinity(),
                                   -std::numeric_limits<float>::infinity(),
                                   std::numeric_limits<float>::quiet_NaN(),
                                   -std::numeric_limits<float>::quiet_NaN()};
  switch (s.below(4)) {
    case 0:
    case 1: return kSpecial[s.below(sizeof kSpecial / sizeof kSpecial[0])];
    case 2: {
      const float factors[] = {-1.0f, 1e-38f, 1e38f, 0.5f, 2.0f, 1.0000001f};
      return current * factors[s.below(6)];
    }
    default: {
      const uint32_t bits = s.u32();
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
  }
}

uint16_t hostile_half(Stream& s) {
  // +-inf, two NaNs, the smallest denormal, +-65504, -0, the smallest normal.
  static const uint16_t kSpecial[] = {0x7c00, 0xfc00, 0x7e00, 0xfe01, 0x0001, 0x7bff, 0xfbff, 0x8000, 0x0400};
  return s.flag() ? kSpecial[s.below(sizeof kSpecial / sizeof kSpecial[0])] : s.u16();
}

template <class Enum>
Enum hostile_enum(Stream& s, Enum current) {
  // One past the known values is the likeliest mistake; any byte may come.
  const uint8_t value = s.flag() ? static_cast<uint8_t>(static_cast<uint8_t>(current) + 1 + s.below(3)) : s.u8();
  return static_cast<Enum>(value);
}

// A table of a vector of tables, chosen by the input; null when there is none.
template <class T>
T* pick_table(Stream& s, flatbuffers::Vector<flatbuffers::Offset<T>>* v) {
  if (v == nullptr || v->size() == 0) return nullptr;
  return v->GetMutableObject(s.below(v->size()));
}

template <class T>
void mutate_element(Stream& s, flatbuffers::Vector<T>* v) {
  if (v == nullptr || v->size() == 0) return;
  const uint32_t i = s.below(v->size());
  if constexpr (std::is_same_v<T, float>) {
    v->Mutate(i, hostile_float(s, v->Get(i)));
  } else {
    v->Mutate(i, hostile_u32(s, v->Get(i)));
  }
}

// An array of the payload and the size of its elements.
struct SliceRef {
  fb::Slice* slice;
  size_t element_size;
};

size_t dtype_size(fb::DType dtype) { return dtype == fb::DType::F32 ? 4 : (dtype == fb::DType::F16 ? 2 : 1); }

void add_slice(std::vector<SliceRef>* out, fb::Slice* slice, size_t element_size) {
  if (slice != nullptr) out->push_back({slice, element_size});
}

void add_tensor(std::vector<fb::Tensor*>* tensors, std::vector<SliceRef>* slices, fb::Tensor* t) {
  if (t == nullptr) return;
  tensors->push_back(t);
  add_slice(slices, t->mutable_data(), dtype_size(t->dtype()));
  add_slice(slices, t->mutable_scale_bias(), 4);
}

void add_keys(std::vector<SliceRef>* slices, fb::Keys* keys) {
  if (keys == nullptr) return;
  if (fb::StringTable* strings = keys->mutable_strings()) {
    add_slice(slices, strings->mutable_offsets(), 4);
    add_slice(slices, strings->mutable_bytes(), 1);
  }
  add_slice(slices, keys->mutable_ints(), 8);
  if (fb::HashIndex* index = keys->mutable_index()) {
    add_slice(slices, index->mutable_fingerprints(), 8);
    add_slice(slices, index->mutable_slots(), 4);
  }
}

// Every tensor, array and key list of the model, found through the mutable
// accessors, so that a mutation can change their shapes or contents.
struct Parts {
  std::vector<fb::Tensor*> tensors;
  std::vector<SliceRef> slices;
  std::vector<fb::Keys*> keys;
  std::vector<fb::SequenceEncoder*> sequences;
  std::vector<fb::Dense*> dense;  // the sequence encoders' layers
};

void add_norm(Parts* parts, fb::Norm* norm) {
  if (norm != nullptr) add_slice(&parts->slices, norm->mutable_gain_bias(), 4);
}

void add_dense(Parts* parts, fb::Dense* dense) {
  if (dense == nullptr) return;
  parts->dense.push_back(dense);
  add_tensor(&parts->tensors, &parts->slices, dense->mutable_weights());
  add_slice(&parts->slices, dense->mutable_bias(), 4);
}

void add_sequence(Parts* parts, fb::SequenceEncoder* sequence) {
  parts->sequences.push_back(sequence);
  add_tensor(&parts->tensors, &parts->slices, sequence->mutable_positions());
  add_norm(parts, sequence->mutable_final_norm());
  if (auto* blocks = sequence->mutable_blocks()) {
    for (uint32_t b = 0; b < blocks->size(); ++b) {
      fb::AttentionBlock* block = blocks->GetMutableObject(b);
      add_norm(parts, block->mutable_norm1());
      add_norm(parts, block->mutable_norm2());
      for (fb::Dense* dense : {block->mutable_query(), block->mutable_key(), block->mutable_value(),
                               block->mutable_feed1(), block->mutable_feed2()}) {
        add_dense(parts, dense);
      }
    }
  }
}

Parts find_parts(fb::Model* root) {
  Parts parts;
  if (fb::Wide* wide = root->mutable_wide()) add_tensor(&parts.tensors, &parts.slices, wide->mutable_weights());
  if (fb::Deep* deep = root->mutable_deep()) {
    if (auto* inputs = deep->mutable_inputs()) {
      for (uint32_t i = 0; i < inputs->size(); ++i) {
        add_tensor(&parts.tensors, &parts.slices, inputs->GetMutableObject(i)->mutable_embedding());
        if (fb::SequenceEncoder* sequence = inputs->GetMutableObject(i)->mutable_sequence()) {
          add_sequence(&parts, sequence);
        }
      }
    }
    if (auto* layers = deep->mutable_layers()) {
      for (uint32_t i = 0; i < layers->size(); ++i) {
        fb::Dense* dense = layers->GetMutableObject(i);
        add_tensor(&parts.tensors, &parts.slices, dense->mutable_weights());
        add_slice(&parts.slices, dense->mutable_bias(), 4);
      }
    }
  }
  if (fb::Catalog* catalog = root->mutable_catalog()) {
    parts.keys.push_back(catalog->mutable_keys());
    add_keys(&parts.slices, catalog->mutable_keys());
    add_slice(&parts.slices, catalog->mutable_value_offsets(), 4);
    add_slice(&parts.slices, catalog->mutable_value_fingerprints(), 8);
    add_slice(&parts.slices, catalog->mutable_numeric_values(), 4);
    add_slice(&parts.slices, catalog->mutable_item_wide(), 4);
    add_tensor(&parts.tensors, &parts.slices, catalog->mutable_item_first_layer());
  }
  if (auto* columns = root->mutable_columns()) {
    for (uint32_t i = 0; i < columns->size(); ++i) {
      if (fb::Keys* keys = columns->GetMutableObject(i)->mutable_vocabulary()) {
        parts.keys.push_back(keys);
        add_keys(&parts.slices, keys);
      }
    }
  }
  return parts;
}

// Overwrites one element of a payload array with a hostile value of its
// size: NaN and infinite weights, fingerprints no key has, hash slots and
// string or value offsets pointing anywhere.
void mutate_payload(Stream& s, fb::Model* root, const SliceRef& ref) {
  auto* payload = root->mutable_payload();
  const uint64_t count = ref.slice->count();
  const uint64_t offset = ref.slice->offset();
  if (count == 0 || offset > payload->size()) return;
  const uint64_t at = offset + s.below64(count) * ref.element_size;
  if (at > payload->size() || payload->size() - at < ref.element_size) return;  // a slice already mutated
  uint8_t* p = payload->data() + at;
  switch (ref.element_size) {
    case 1: *p = s.u8(); break;
    case 2: {
      const uint16_t v = hostile_half(s);
      std::memcpy(p, &v, 2);
      break;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      if (s.flag()) {
        float f;
        std::memcpy(&f, &v, 4);
        f = hostile_float(s, f);
        std::memcpy(&v, &f, 4);
      } else {
        v = hostile_u32(s, v);
      }
      std::memcpy(p, &v, 4);
      break;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      v = hostile_u64(s, v);
      std::memcpy(p, &v, 8);
      break;
    }
  }
}

// What one mutation changes. Wide terms and the payload's contents weigh
// more than the rest (numbered entries share one case): NaN weights, broken
// offsets and terms that repeat or overlap others reach the scoring code,
// where most other table fields are refused when the model opens.
enum Mutation : uint8_t {
  kInputMaxValues,
  kInputMultivalent,
  kInputSourceOrKind,
  kInputDefault,
  kColumnKind,
  kColumnInput,
  kColumnBuckets,
  kColumnMeanStddev,
  kColumnHashKey,
  kColumnPosition,
  kColumnCrossed,
  kColumnBoundaries,
  kKeysIndex,
  kWideTerm1,
  kWideTerm2,
  kWideTerm3,
  kWideBias,
  kTensorShape,
  kTensorDtype,
  kSliceBounds,
  kDeepInput,
  kDenseActivation,
  kSequence,
  kCatalogInputs,
  kRootIndices,
  kRootVersions,
  kPayload1,
  kPayload2,
  kPayload3,
  kPayload4,
  kMutationCount
};

void mutate_once(Stream& s, fb::Model* root, const Parts& parts) {
  fb::Input* input = pick_table(s, root->mutable_inputs());
  fb::Column* column = pick_table(s, root->mutable_columns());
  switch (static_cast<Mutation>(s.below(kMutationCount))) {
    case kInputMaxValues:
      if (input != nullptr) input->mutate_max_values(hostile_u32(s, input->max_values()));
      break;
    case kInputMultivalent:
      if (input != nullptr) input->mutate_multivalent(!input->multivalent());
      break;
    case kInputSourceOrKind:
      if (input == nullptr) break;
      if (s.flag()) {
        input->mutate_source(hostile_enum(s, input->source()));
      } else {
        input->mutate_kind(hostile_enum(s, input->kind()));
      }
      break;
    case kInputDefault:
      if (input != nullptr) input->mutate_default_value(hostile_float(s, input->default_value()));
      break;
    case kColumnKind:
      if (column != nullptr) column->mutate_kind(hostile_enum(s, column->kind()));
      break;
    case kColumnInput:
      if (column != nullptr) column->mutate_input(hostile_u32(s, column->input()));
      break;
    case kColumnBuckets:
      if (column != nullptr) column->mutate_buckets(hostile_u64(s, column->buckets()));
      break;
    case kColumnMeanStddev:
      if (column == nullptr) break;
      if (s.flag()) {
        column->mutate_mean(hostile_float(s, column->mean()));
      } else {
        column->mutate_stddev(hostile_float(s, column->stddev()));
      }
      break;
    case kColumnHashKey:
      if (column != nullptr) column->mutate_hash_key(hostile_u64(s, column->hash_key()));
      break;
    case kColumnPosition:
      if (column != nullptr) column->mutate_position(hostile_u32(s, column->position()));
      break;
    case kColumnCrossed:
      if (column != nullptr) mutate_element(s, column->mutable_crossed());
      break;
    case kColumnBoundaries:
      if (column != nullptr) mutate_element(s, column->mutable_boundaries());
      break;
    case kKeysIndex: {
      if (parts.keys.empty()) break;
      fb::Keys* keys = pick(s, parts.keys);
      if (s.flag()) {
        keys->mutate_type(hostile_enum(s, keys->type()));
      } else if (fb::HashIndex* index = keys->mutable_index()) {
        index->mutate_max_probe(hostile_u32(s, index->max_probe()));
      }
      break;
    }
    case kWideTerm1:
    case kWideTerm2:
    case kWideTerm3: {
      fb::WideTerm* term = root->mutable_wide() ? pick_table(s, root->mutable_wide()->mutable_terms()) : nullptr;
      if (term == nullptr) break;
      switch (s.below(4)) {
        case 0: term->mutate_column(hostile_u32(s, term->column())); break;
        case 1: term->mutate_offset(hostile_u64(s, term->offset())); break;
        case 2: term->mutate_combiner(hostile_enum(s, term->combiner())); break;
        default: term->mutate_learnable(!term->learnable()); break;
      }
      break;
    }
    case kWideBias:
      if (root->mutable_wide() != nullptr) root->mutable_wide()->mutate_bias(hostile_float(s, root->wide()->bias()));
      break;
    case kTensorShape: {
      if (parts.tensors.empty()) break;
      fb::Tensor* t = pick(s, parts.tensors);
      if (s.flag()) {
        t->mutate_rows(hostile_u64(s, t->rows()));
      } else {
        t->mutate_cols(hostile_u32(s, t->cols()));
      }
      break;
    }
    case kTensorDtype:
      if (!parts.tensors.empty()) {
        fb::Tensor* t = pick(s, parts.tensors);
        t->mutate_dtype(s.flag() ? static_cast<fb::DType>(s.below(3)) : hostile_enum(s, t->dtype()));
      }
      break;
    case kSliceBounds: {
      if (parts.slices.empty()) break;
      fb::Slice* slice = pick(s, parts.slices).slice;
      if (s.flag()) {
        slice->mutate_offset(hostile_u64(s, slice->offset()));
      } else {
        slice->mutate_count(hostile_u64(s, slice->count()));
      }
      break;
    }
    case kDeepInput: {
      fb::DeepInput* in = root->mutable_deep() ? pick_table(s, root->mutable_deep()->mutable_inputs()) : nullptr;
      if (in == nullptr) break;
      if (s.flag()) {
        in->mutate_column(hostile_u32(s, in->column()));
      } else {
        in->mutate_combiner(hostile_enum(s, in->combiner()));
      }
      break;
    }
    case kDenseActivation: {
      fb::Dense* dense = root->mutable_deep() ? pick_table(s, root->mutable_deep()->mutable_layers()) : nullptr;
      if (dense != nullptr) dense->mutate_activation(hostile_enum(s, dense->activation()));
      break;
    }
    case kSequence: {
      // A sequence encoder's length, or one of its layers' activation.
      if (s.flag()) {
        if (!parts.sequences.empty()) {
          fb::SequenceEncoder* sequence = parts.sequences[s.below(static_cast<uint32_t>(parts.sequences.size()))];
          sequence->mutate_length(hostile_u32(s, sequence->length()));
        }
      } else if (!parts.dense.empty()) {
        fb::Dense* dense = parts.dense[s.below(static_cast<uint32_t>(parts.dense.size()))];
        dense->mutate_activation(hostile_enum(s, dense->activation()));
      }
      break;
    }
    case kCatalogInputs:
      if (root->mutable_catalog() == nullptr) break;
      mutate_element(s, s.flag() ? root->mutable_catalog()->mutable_categorical_inputs()
                                 : root->mutable_catalog()->mutable_numeric_inputs());
      break;
    case kRootIndices:
      if (s.flag()) {
        root->mutate_user_id_input(static_cast<int32_t>(hostile_u32(s, static_cast<uint32_t>(root->user_id_input()))));
      } else {
        root->mutate_item_id_input(hostile_u32(s, root->item_id_input()));
      }
      break;
    case kRootVersions: {
      const uint16_t versions[] = {0, 1, 2, 3, 0xffff};
      const uint16_t v = s.flag() ? versions[s.below(5)] : s.u16();
      switch (s.below(3)) {
        case 0: root->mutate_format_major(v); break;
        case 1: root->mutate_format_minor(v); break;
        default: root->mutate_quantization_version(v); break;
      }
      break;
    }
    case kPayload1:
    case kPayload2:
    case kPayload3:
    case kPayload4:
      if (!parts.slices.empty()) mutate_payload(s, root, pick(s, parts.slices));
      break;
    case kMutationCount: break;
  }
}

// Seals the file again, as the writer does after filling in its
// precomputed values; without it every mutated file would fail full
// verification for its checksum alone.
void reseal(std::vector<uint8_t>* bytes) {
  uint64_t checksum = 0;
  if (file_checksum(bytes->data(), bytes->size(), &checksum)) {
    fb::GetMutableModel(bytes->data())->mutate_checksum(checksum);
  }
}

// ---------------------------------------------------------------------------
// 3. What a host does with the model

// Gives every input of one side (request or item) values: none, one, as
// many as it takes, or one too many (refused, with a status).
template <class AddString, class SetNumber>
void fill(Stream& s, barista_model* model, bool item_side, const std::vector<std::string>& values, AddString add_string,
          SetNumber set_number) {
  barista_model_info info;
  if (barista_model_get_info(model, &info) != BARISTA_STATUS_OK) return;
  Random random(s.u8());
  for (size_t i = 0; i < info.input_count; ++i) {
    barista_input_info input;
    if (barista_model_get_input(model, i, &input) != BARISTA_STATUS_OK) continue;
    if ((input.source == BARISTA_SOURCE_ITEM) != item_side) continue;
    if (input.kind == BARISTA_VALUE_NUMERIC) {
      const double numbers[] = {7.0, -1.0, 0.0, 1e-40, 3e38, -3e38, 1e300, 12.5};
      if (!s.one_in(4)) set_number(input.name, numbers[s.below(8)]);
      continue;
    }
    uint32_t count = 1;  // also when the input is exhausted
    switch (s.below(4)) {
      case 1: count = 0; break;
      case 2: count = input.max_values; break;
      case 3: count = std::min<uint32_t>(input.max_values + 1, 4097); break;
      default: break;
    }
    for (uint32_t v = 0; v < count; ++v) {
      const std::string& value = values[random.below(static_cast<uint32_t>(values.size()))];
      add_string(input.name, value);
    }
  }
}

void use_model(Stream& s, barista_model* model, const std::vector<std::string>& values) {
  barista_model_info info;
  barista_model_get_info(model, &info);
  char id[128];
  for (uint32_t i = 0; i < info.item_count && i < 64; ++i) barista_model_get_item_id(model, i, id, sizeof id, nullptr);
  uint32_t found = 0;
  for (size_t i = 0; i < values.size() && i < 16; ++i) {
    barista_model_find_item(model, values[i].data(), values[i].size(), &found);
  }
  barista_model_find_item_int64(model, -20, &found);

  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_item* item = nullptr;
  barista_session_create(model, &session);
  barista_request_create(model, &request);
  barista_item_create(model, &item);
  if (barista_model_user_input(model) != nullptr) barista_request_set_user(request, "user-1", 6);
  fill(
      s, model, false, values,
      [&](const char* input, const std::string& v) { barista_request_add_string(request, input, v.data(), v.size()); },
      [&](const char* input, double x) { barista_request_set_number(request, input, x); });
  fill(
      s, model, true, values,
      [&](const char* input, const std::string& v) { barista_item_add_string(item, input, v.data(), v.size()); },
      [&](const char* input, double x) { barista_item_set_number(item, input, x); });

  std::vector<uint32_t> items;
  for (uint32_t i = 0; i < info.item_count && i < 16; ++i) items.push_back(i);
  if (info.item_count > 16) items.push_back(static_cast<uint32_t>(info.item_count - 1));
  score_and_learn(model, session, request, item, items);

  barista_item_free(item);
  barista_request_free(request);
  barista_session_free(session);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput input(data, size);
  Stream front(&input, false);
  Stream back(&input, true);

  Built built;
  build_spec(front, &built);
  std::vector<uint8_t> bytes;
  if (!write_model_or_less(&built, &bytes)) return 0;

  fb::Model* root = fb::GetMutableModel(bytes.data());
  const Parts parts = find_parts(root);
  const uint32_t mutations = back.below(13);
  for (uint32_t m = 0; m < mutations; ++m) mutate_once(back, root, parts);
  reseal(&bytes);

  barista_open_params params = barista_open_default_params();
  params.kernels = front.one_in(3) ? "reference" : nullptr;
  barista_model* model = nullptr;
  if (barista_model_open_buffer(bytes.data(), bytes.size(), &params, &model, nullptr) != BARISTA_STATUS_OK) return 0;
  // Full verification at open and on an open model are the same check.
  const barista_status verified = barista_model_verify(model, nullptr);
  params.flags = BARISTA_OPEN_VERIFY_FULL;
  barista_model* verified_model = nullptr;
  const barista_status opened =
      barista_model_open_buffer(bytes.data(), bytes.size(), &params, &verified_model, nullptr);
  if ((opened == BARISTA_STATUS_OK) != (verified == BARISTA_STATUS_OK)) __builtin_trap();
  barista_model_free(verified_model);

  use_model(front, model, built.values);
  barista_model_free(model);
  return 0;
}
