#include "train/trainer.h"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <new>
#include <thread>

#include "common/random.h"
#include "data/requests.h"
#include "eval/evaluate.h"
#include "features/encoder.h"
#include "kernels/dispatch.h"
#include "model/model.h"
#include "score/scorer.h"
#include "train/ftrl.h"
#include "train/model_builder.h"
#include "train/sequence_training.h"
#include "train/size_estimate.h"
#include "writer/model_writer.h"

namespace barista::internal {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

// Work is split into this many shards whatever the thread count, and their
// gradients are summed in shard order: results do not depend on threads.
constexpr size_t kShards = 2;

// How many scattered wide coordinates ahead their memory is prefetched.
constexpr size_t kPrefetchAhead = 16;

// The ids and values one side (request or item) of an example contributes.
struct SideEncoding {
  std::vector<uint32_t> wide_index;  // into the flat wide weight vector
  std::vector<float> wide_scale;     // combiner scale, or the numeric value
  std::vector<uint32_t> deep_begin;  // per deep input of this side, into deep_ids; one extra at the end
  std::vector<uint32_t> deep_ids;
  std::vector<float> deep_scale;  // per deep input of this side: combiner scale, or the numeric value

  void clear() {
    wide_index.clear();
    wide_scale.clear();
    deep_begin.assign(1, 0);
    deep_ids.clear();
    deep_scale.clear();
  }
};

struct TrainExample {
  uint32_t request = 0;  // index of the request encoding in the batch
  uint32_t item = 0;     // catalog index
  float label = 0.0f;
  float weight = 1.0f;
  uint32_t mixed_begin = 0, mixed_end = 0;  // wide entries of mixed crosses
};

// Everything one shard computes for its slice of a batch.
struct ShardWork {
  size_t begin = 0, end = 0;  // examples
  std::vector<Matrix> a;      // activations: a[l + 1] = output of layer l (a[0] unused)
  std::vector<Matrix> dz;     // gradients of pre-activations, per layer
  std::vector<Matrix> dw;
  std::vector<RowVector> db;
  std::vector<float> logits;
  std::vector<float> g;  // d loss / d logit, per example
  // The first layer's input by side: the request's per run of a request's
  // consecutive examples, the item's per example; its output's gradients
  // summed per run; the gradients of the two inputs.
  std::vector<uint32_t> run_of;       // per example
  std::vector<uint32_t> run_request;  // per run, increasing
  Matrix request_x, item_x, request_z, request_dz, request_dx, item_dx;
  std::vector<float> x_t;      // a layer's input, transposed
  std::vector<float> side_dw;  // one side's first-layer gradients
  std::vector<std::pair<uint32_t, float>> wide_grads;
  // Per deep input: (row, offset into grads) per occurrence.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> row_refs;
  std::vector<std::vector<float>> row_grads;
  // The sequence encoder's parameter gradients, for this shard's requests.
  std::vector<float> sequence_grads;
  std::vector<float> sequence_dout;
  double loss = 0.0;
};

// out (cols x rows, row-major, rows padded to `stride`) = in^T, for in
// rows x cols; in tiles, so that both sides' cache lines are reused.
void transpose(const float* in, size_t rows, size_t cols, size_t stride, float* out) {
  constexpr size_t kTile = 16;
  for (size_t i0 = 0; i0 < rows; i0 += kTile) {
    for (size_t j0 = 0; j0 < cols; j0 += kTile) {
      for (size_t i = i0; i < std::min(rows, i0 + kTile); ++i) {
        for (size_t j = j0; j < std::min(cols, j0 + kTile); ++j) out[j * stride + i] = in[i * cols + j];
      }
    }
  }
}

// Rows padded to whole SIMD tiles (of up to 2 x 16 floats): the kernels run
// the columns beyond whole tiles one float at a time.
size_t padded(size_t width) {
  constexpr size_t kTileFloats = 32;
  return (width + kTileFloats - 1) / kTileFloats * kTileFloats;
}

// A fixed pool of helper threads running shard jobs.
class ShardPool {
 public:
  explicit ShardPool(size_t threads) {
    for (size_t t = 1; t < threads; ++t) workers_.emplace_back([this] { loop(); });
  }
  ~ShardPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
  }
  // Runs job(0 .. n-1); the calling thread takes part. An exception from a
  // job (std::bad_alloc) is rethrown here once every job has finished, not
  // left to end the process in a helper thread.
  void run(size_t n, const std::function<void(size_t)>& job) {
    if (workers_.empty() || n <= 1) {
      for (size_t i = 0; i < n; ++i) job(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      next_ = 0;
      total_ = n;
      pending_ = n;
      ++generation_;
    }
    wake_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (failure_) {
      std::exception_ptr failure = std::move(failure_);
      failure_ = nullptr;
      lock.unlock();
      std::rethrow_exception(failure);
    }
  }

 private:
  void work() {
    while (true) {
      size_t index;
      const std::function<void(size_t)>* job;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (job_ == nullptr || next_ >= total_) return;
        index = next_++;
        job = job_;
      }
      std::exception_ptr failure;
      try {
        (*job)(index);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (failure && !failure_) failure_ = failure;
      if (--pending_ == 0) done_.notify_all();
    }
  }
  void loop() {
    uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  std::exception_ptr failure_;  // the first job's exception, for run()
  size_t next_ = 0, total_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace

struct Trainer::State {
  const TrainConfig* config = nullptr;
  const Dataset* data = nullptr;
  const Split* split = nullptr;
  ModelSpec spec;
  std::vector<uint8_t> skeleton_bytes;
  std::unique_ptr<Model> skeleton;       // the model's structure, for encoding
  const KernelTable* kernels = nullptr;  // the best this CPU runs
  RequestBuilder requests;

  // Deep inputs by side (indices into spec.deep / model deep inputs).
  std::vector<uint32_t> request_inputs, item_inputs;
  std::vector<uint32_t> dims;  // per deep input (0: numeric)
  // The deep input whose embedding table each input reads: itself, or the
  // item id's for a history tied to it (history.share_item_embedding).
  std::vector<uint32_t> table_of;
  std::vector<uint32_t> offsets;  // per deep input, in the concatenated input
  // The deep input whose ids a sequence encoder reads (-1: none), and its
  // position among the request inputs.
  int32_t sequence_input = -1;
  size_t sequence_slot = 0;

  // Parameters the trainer owns directly (the rest live in `spec`).
  std::vector<float> wide;  // flat, model file order
  float bias = 0.0f;
  // FTRL state (double: see ftrl.h).
  std::vector<double> ftrl_z, ftrl_n;
  double bias_z = 0.0, bias_n = 0.0;
  // Deep optimizer state, parallel to the parameters.
  std::vector<std::vector<float>> emb_m, emb_v;  // Adam: m, v; Adagrad: v is the accumulator
  std::vector<std::vector<float>> layer_wm, layer_wv, layer_bm, layer_bv;
  std::vector<float> sequence_m, sequence_v;
  uint64_t step = 0;

  // Item encodings, per catalog item.
  std::vector<SideEncoding> item_encodings;
  // Merged sparse gradients.
  std::vector<float> wide_grad;
  std::vector<uint8_t> wide_touched_flag;
  std::vector<uint32_t> wide_touched;
  std::vector<std::vector<int32_t>> slot_of_row;  // per deep input
  std::vector<std::vector<uint32_t>> slot_rows;
  std::vector<std::vector<float>> slot_grads;

  // Negative sampling.
  std::vector<double> popularity_cdf;

  // The first layer's rows by side (its input's columns, as the deep inputs
  // of the side lay them out one after the other), for the split product,
  // and transposed (rows padded) for the backward pass.
  struct SideLayout {
    std::vector<uint32_t> inputs;   // deep inputs (request_inputs or item_inputs)
    std::vector<uint32_t> offsets;  // per input, its first column in the side's input
    uint32_t width = 0;
    std::vector<float> weights, weights_t;
  };
  SideLayout request_side, item_side;
  // Per layer after the first: its weights transposed (out x in), for the
  // backward pass; zeros: a bias of nothing, as wide as the widest product.
  std::vector<std::vector<float>> weights_t;
  std::vector<float> zeros;
  // Fills the above from the current weights, once per step.
  void prepare_layers();

  // Batch buffers.
  std::vector<SideEncoding> request_encodings;
  std::vector<SequenceCache> sequence_caches;  // per request
  std::vector<float> sequence_out;             // per request, the encoder's output
  std::vector<TrainExample> examples;
  std::vector<uint32_t> mixed_index;
  std::vector<float> mixed_scale;
  std::vector<ShardWork> shards;
  std::unique_ptr<ShardPool> pool;
  std::unique_ptr<Encoder> encoder;
  std::unique_ptr<FeatureBag> request_bag;
  Vec<uint32_t> ids;

  Status encode_side(const FeatureBag* request, uint32_t item, Side side, SideEncoding* out);
  Status encode_mixed(const FeatureBag& request, uint32_t item);
  // The sequence encoder's forward pass for requests [0, count), on the
  // pool; `training` applies its dropout.
  void encode_sequences(size_t count, bool training);
  void forward(ShardWork& w, size_t batch_size);
  void backward(ShardWork& w);
  // The sequence encoder's backward pass, after backward() of every shard:
  // shard sh takes its share of the requests.
  void backward_sequences(size_t request_count);
  void apply_gradients(size_t shard_count);
  void sync_spec();
  Status write_current(std::vector<uint8_t>* bytes);
  // A negative for `user`'s positive: any other item, or with
  // training.negatives_unseen one the user never had in training.
  uint32_t sample_negative(Random& random, uint32_t user, uint32_t positive) const;
  // Per user: the items of their training interactions, sorted
  // (training.negatives_unseen).
  std::vector<std::vector<uint32_t>> user_items;
};

Trainer::Trainer() : state_(new State) {}
Trainer::~Trainer() = default;

const ModelSpec& Trainer::spec() const { return state_->spec; }

Status Trainer::create(const TrainConfig& config, const Dataset& data, const Split& split, ModelSpec spec,
                       std::unique_ptr<Trainer>* out) {
  std::unique_ptr<Trainer> trainer(new Trainer());
  State& s = *trainer->state_;
  s.config = &config;
  s.data = &data;
  s.split = &split;
  s.spec = std::move(spec);
  // The skeleton: the model's structure (weights do not matter for encoding).
  BARISTA_RETURN_IF_ERROR(write_model(s.spec, WriteOptions(), &s.skeleton_bytes));
  OpenOptions open;
  open.kernels = "reference";
  BARISTA_RETURN_IF_ERROR(Model::open_buffer(s.skeleton_bytes.data(), s.skeleton_bytes.size(), open, &s.skeleton));
  BARISTA_RETURN_IF_ERROR(RequestBuilder::create(config, data, *s.skeleton, &s.requests));
  s.encoder = std::make_unique<Encoder>(*s.skeleton);
  BARISTA_RETURN_IF_ERROR(select_kernels(nullptr, &s.kernels));
  s.request_bag = std::make_unique<FeatureBag>(*s.skeleton, BagRole::Request);

  const Model& model = *s.skeleton;
  for (uint32_t k = 0; k < model.deep_inputs().size(); ++k) {
    const DeepInputInfo& d = model.deep_inputs()[k];
    (d.item_side ? s.item_inputs : s.request_inputs).push_back(k);
    s.dims.push_back(d.has_embedding ? d.width : 0);
    s.offsets.push_back(d.offset);
    if (d.sequence >= 0) {
      s.sequence_input = static_cast<int32_t>(k);
      s.sequence_slot = s.request_inputs.size() - 1;
    }
  }
  for (uint32_t k = 0; k < s.dims.size(); ++k) s.table_of.push_back(k);
  if (config.history.length > 0 && config.history.share_item_embedding) {
    // The history and its slots read the item id's table.
    std::vector<uint32_t> readers;
    int32_t item = -1;
    for (uint32_t k = 0; k < s.dims.size(); ++k) {
      const std::string name = model.columns()[model.deep_inputs()[k].column].name;
      if (name == kHistoryInput || name.rfind(std::string(kHistoryInput) + "@", 0) == 0) readers.push_back(k);
      if (name == kItemIdInput) item = static_cast<int32_t>(k);
    }
    for (uint32_t history : readers) {
      if (item >= 0 && s.dims[history] == s.dims[static_cast<size_t>(item)] &&
          s.spec.deep[history].embedding.size() == s.spec.deep[static_cast<size_t>(item)].embedding.size()) {
        s.table_of[history] = static_cast<uint32_t>(item);
      }
    }
  }

  // Parameters and optimizer state.
  for (const WideTermSpec& term : s.spec.wide) s.wide.insert(s.wide.end(), term.weights.begin(), term.weights.end());
  s.bias = s.spec.wide_bias;
  s.ftrl_z.assign(s.wide.size(), 0.0);
  s.ftrl_n.assign(s.wide.size(), 0.0);
  // Start FTRL's z so that its weight formula reproduces the initial bias.
  const FtrlConfig& ftrl = config.training.wide;
  s.bias_z = -static_cast<double>(s.bias) * ftrl.beta / ftrl.learning_rate;
  const bool adam = config.training.deep.kind == DeepOptimizerConfig::Kind::Adam;
  const float accumulator = adam ? 0.0f : static_cast<float>(config.training.deep.initial_accumulator);
  for (const DeepInputSpec& d : s.spec.deep) {
    s.emb_m.emplace_back(adam ? d.embedding.size() : 0, 0.0f);
    s.emb_v.emplace_back(d.embedding.size(), accumulator);
  }
  for (const DenseSpec& l : s.spec.layers) {
    s.layer_wm.emplace_back(adam ? l.weights.size() : 0, 0.0f);
    s.layer_wv.emplace_back(l.weights.size(), accumulator);
    s.layer_bm.emplace_back(adam ? l.bias.size() : 0, 0.0f);
    s.layer_bv.emplace_back(l.bias.size(), accumulator);
  }
  if (s.sequence_input >= 0) {
    const size_t count = s.spec.deep[static_cast<size_t>(s.sequence_input)].sequence.params.size();
    s.sequence_m.assign(adam ? count : 0, 0.0f);
    s.sequence_v.assign(count, accumulator);
  }
  s.wide_grad.assign(s.wide.size(), 0.0f);
  s.wide_touched_flag.assign(s.wide.size(), 0);
  for (const DeepInputSpec& d : s.spec.deep) {
    s.slot_of_row.emplace_back(d.dim == 0 ? 0 : d.embedding.size() / d.dim, -1);
    s.slot_rows.emplace_back();
    s.slot_grads.emplace_back();
  }

  // Item encodings, once.
  const uint32_t n = model.catalog().count;
  s.item_encodings.resize(n);
  for (uint32_t i = 0; i < n; ++i) BARISTA_RETURN_IF_ERROR(s.encode_side(nullptr, i, Side::Item, &s.item_encodings[i]));

  if (config.training.sampling == TrainingConfig::Sampling::Popularity) {
    std::vector<double> count(n, 0.0);
    for (size_t i = 0; i < data.interactions.size(); ++i) {
      if (split.in_training[i]) count[data.interactions[i].item] += 1.0;
    }
    double total = 0.0;
    s.popularity_cdf.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      total += std::pow(count[i], config.training.popularity_exponent);
      s.popularity_cdf[i] = total;
    }
    if (total <= 0.0) s.popularity_cdf.clear();  // nothing to weigh by: uniform
  }
  if (config.training.negatives_unseen) {
    s.user_items.resize(data.user_count());
    for (size_t i = 0; i < data.interactions.size(); ++i) {
      if (split.in_training[i]) s.user_items[data.interactions[i].user].push_back(data.interactions[i].item);
    }
    for (std::vector<uint32_t>& items : s.user_items) {
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
    }
  }
  for (State::SideLayout* side : {&s.request_side, &s.item_side}) {
    side->inputs = side == &s.request_side ? s.request_inputs : s.item_inputs;
    for (uint32_t k : side->inputs) {
      side->offsets.push_back(side->width);
      side->width += std::max<uint32_t>(s.dims[k], 1);
    }
  }
  size_t widest = std::max(padded(s.request_side.width), padded(s.item_side.width));
  for (const DenseSpec& layer : s.spec.layers) widest = std::max({widest, size_t{layer.in}, size_t{layer.out}});
  s.zeros.assign(widest, 0.0f);
  s.shards.resize(kShards);
  for (ShardWork& w : s.shards) {
    w.row_refs.resize(s.spec.deep.size());
    w.row_grads.resize(s.spec.deep.size());
  }
  s.pool = std::make_unique<ShardPool>(std::min<size_t>(config.training.threads, kShards));
  *out = std::move(trainer);
  return Status();
}

Status Trainer::State::encode_side(const FeatureBag* request, uint32_t item, Side side, SideEncoding* out) {
  const bool for_item = side == Side::Item;
  out->clear();
  const Model& model = *skeleton;
  const internal::Example example{request, ItemRef::catalog(item)};
  for (const WideTermInfo& term : for_item ? model.wide_item_terms() : model.wide_request_terms()) {
    const ColumnInfo& column = model.columns()[term.column];
    if (!column.is_categorical()) {
      out->wide_index.push_back(term.offset);
      out->wide_scale.push_back(encoder->numeric_value(example, term.column));
      continue;
    }
    ids.clear();
    BARISTA_RETURN_IF_ERROR(encoder->column_ids(example, term.column, &ids));
    const float scale = combiner_scale(term.combiner, ids.size());
    for (uint32_t id : ids) {
      out->wide_index.push_back(term.offset + id);
      out->wide_scale.push_back(scale);
    }
  }
  for (uint32_t k : for_item ? item_inputs : request_inputs) {
    const DeepInputInfo& d = model.deep_inputs()[k];
    if (!d.has_embedding) {
      out->deep_scale.push_back(encoder->numeric_value(example, d.column));
    } else {
      ids.clear();
      BARISTA_RETURN_IF_ERROR(encoder->column_ids(example, d.column, &ids));
      out->deep_ids.insert(out->deep_ids.end(), ids.begin(), ids.end());
      out->deep_scale.push_back(combiner_scale(d.combiner, ids.size()));
    }
    out->deep_begin.push_back(static_cast<uint32_t>(out->deep_ids.size()));
  }
  return Status();
}

Status Trainer::State::encode_mixed(const FeatureBag& request, uint32_t item) {
  const Model& model = *skeleton;
  const internal::Example example{&request, ItemRef::catalog(item)};
  for (const WideTermInfo& term : model.wide_mixed_terms()) {
    ids.clear();
    BARISTA_RETURN_IF_ERROR(encoder->column_ids(example, term.column, &ids));
    const float scale = combiner_scale(term.combiner, ids.size());
    for (uint32_t id : ids) {
      mixed_index.push_back(term.offset + id);
      mixed_scale.push_back(scale);
    }
  }
  return Status();
}

uint32_t Trainer::State::sample_negative(Random& random, uint32_t user, uint32_t positive) const {
  const uint32_t n = static_cast<uint32_t>(item_encodings.size());
  const std::vector<uint32_t>* had = user_items.empty() ? nullptr : &user_items[user];
  for (int attempt = 0; attempt < 32; ++attempt) {
    uint32_t item;
    if (popularity_cdf.empty()) {
      item = static_cast<uint32_t>(random.below(n));
    } else {
      const double r = random.uniform() * popularity_cdf.back();
      item = static_cast<uint32_t>(std::upper_bound(popularity_cdf.begin(), popularity_cdf.end(), r) -
                                   popularity_cdf.begin());
      if (item >= n) item = n - 1;
    }
    if (item != positive && (had == nullptr || !std::binary_search(had->begin(), had->end(), item))) return item;
  }
  return (positive + 1) % n;
}

void Trainer::State::forward(ShardWork& w, size_t batch_size) {
  const size_t n = w.end - w.begin;
  const size_t layer_count = spec.layers.size();
  // A request's examples are consecutive (a positive and its negatives):
  // the shard's runs of one request share that request's half of the input.
  w.run_of.resize(n);
  w.run_request.clear();
  for (size_t e = 0; e < n; ++e) {
    const uint32_t r = examples[w.begin + e].request;
    if (w.run_request.empty() || w.run_request.back() != r) w.run_request.push_back(r);
    w.run_of[e] = static_cast<uint32_t>(w.run_request.size() - 1);
  }
  const size_t runs = w.run_request.size();
  w.request_x.setZero(static_cast<Eigen::Index>(runs), request_side.width);
  w.item_x.setZero(static_cast<Eigen::Index>(n), item_side.width);
  // The deep input, pooled exactly as the runtime pools it (sum, then scale).
  auto fill_side = [&](const SideEncoding& enc, uint32_t request, const SideLayout& side, float* row) {
    for (size_t j = 0; j < side.inputs.size(); ++j) {
      const uint32_t k = side.inputs[j];
      float* slice = row + side.offsets[j];
      const uint32_t dim = dims[k];
      if (dim == 0) {
        *slice = enc.deep_scale[j];
        continue;
      }
      if (static_cast<int32_t>(k) == sequence_input) {
        std::copy_n(&sequence_out[size_t{request} * dim], dim, slice);
        continue;
      }
      const float* table = spec.deep[table_of[k]].embedding.data();
      for (uint32_t t = enc.deep_begin[j]; t < enc.deep_begin[j + 1]; ++t) {
        const float* r = table + size_t{enc.deep_ids[t]} * dim;
        for (uint32_t c = 0; c < dim; ++c) slice[c] += r[c];
      }
      const float scale = enc.deep_scale[j];
      if (scale != 1.0f) {
        for (uint32_t c = 0; c < dim; ++c) slice[c] *= scale;
      }
    }
  };
  for (size_t run = 0; run < runs; ++run) {
    const uint32_t r = w.run_request[run];
    fill_side(request_encodings[r], r, request_side, w.request_x.row(static_cast<Eigen::Index>(run)).data());
  }
  for (size_t e = 0; e < n; ++e) {
    const TrainExample& ex = examples[w.begin + e];
    fill_side(item_encodings[ex.item], ex.request, item_side, w.item_x.row(static_cast<Eigen::Index>(e)).data());
  }
  // The layers run on the runtime's kernels (dispatched per instruction
  // set), the same ones serving uses. The first is split as serving splits
  // it: the request's half once per run, the item's per example, then
  // added (and the ReLU applied) row by row.
  w.a.resize(layer_count + 1);
  const DenseSpec& first = spec.layers[0];
  w.request_z.resize(static_cast<Eigen::Index>(runs), first.out);
  kernels->dense_f32(w.request_x.data(), runs, request_side.width, request_side.weights.data(), zeros.data(), first.out,
                     0, w.request_z.data());
  Matrix& a1 = w.a[1];
  a1.resize(static_cast<Eigen::Index>(n), first.out);
  kernels->dense_f32(w.item_x.data(), n, item_side.width, item_side.weights.data(), first.bias.data(), first.out, 0,
                     a1.data());
  for (size_t e = 0; e < n; ++e) {
    float* row = a1.row(static_cast<Eigen::Index>(e)).data();
    const float* half = w.request_z.row(static_cast<Eigen::Index>(w.run_of[e])).data();
    if (first.relu) {
      kernels->add_relu_f32(row, half, row, first.out);
    } else {
      for (size_t j = 0; j < first.out; ++j) row[j] += half[j];
    }
  }
  for (size_t l = 1; l < layer_count; ++l) {
    const DenseSpec& layer = spec.layers[l];
    w.a[l + 1].resize(static_cast<Eigen::Index>(n), layer.out);
    kernels->dense_f32(w.a[l].data(), n, layer.in, layer.weights.data(), layer.bias.data(), layer.out, layer.relu,
                       w.a[l + 1].data());
  }
  // Wide part, logits, loss and d loss / d logit (mean over the batch).
  w.g.assign(n, 0.0f);
  w.logits.assign(n, 0.0f);
  w.loss = 0.0;
  for (size_t e = 0; e < n; ++e) {
    const TrainExample& ex = examples[w.begin + e];
    if (e + 1 < n) {
      const TrainExample& next = examples[w.begin + e + 1];
      for (uint32_t t = next.mixed_begin; t < next.mixed_end; ++t) __builtin_prefetch(&wide[mixed_index[t]]);
    }
    float wide_sum = bias;
    const SideEncoding& request = request_encodings[ex.request];
    const SideEncoding& item = item_encodings[ex.item];
    for (size_t t = 0; t < request.wide_index.size(); ++t)
      wide_sum += wide[request.wide_index[t]] * request.wide_scale[t];
    for (size_t t = 0; t < item.wide_index.size(); ++t) wide_sum += wide[item.wide_index[t]] * item.wide_scale[t];
    for (uint32_t t = ex.mixed_begin; t < ex.mixed_end; ++t) wide_sum += wide[mixed_index[t]] * mixed_scale[t];
    const float logit = wide_sum + w.a[layer_count](static_cast<Eigen::Index>(e), 0);
    w.logits[e] = logit;
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(logit)));
    const double clamped = std::clamp(p, 1e-7, 1.0 - 1e-7);
    const double label = static_cast<double>(ex.label), weight = static_cast<double>(ex.weight);
    w.loss -= weight * (label * std::log(clamped) + (1.0 - label) * std::log(1.0 - clamped));
    w.g[e] = static_cast<float>(weight * (p - label) / static_cast<double>(batch_size));
  }
}

void Trainer::State::prepare_layers() {
  const DenseSpec& first = spec.layers[0];
  for (SideLayout* side : {&request_side, &item_side}) {
    side->weights.resize(size_t{side->width} * first.out);
    for (size_t j = 0; j < side->inputs.size(); ++j) {
      const uint32_t k = side->inputs[j];
      const size_t span = std::max<uint32_t>(dims[k], 1);
      std::copy_n(first.weights.data() + size_t{offsets[k]} * first.out, span * first.out,
                  side->weights.data() + size_t{side->offsets[j]} * first.out);
    }
    side->weights_t.assign(padded(side->width) * first.out, 0.0f);
    transpose(side->weights.data(), side->width, first.out, padded(side->width), side->weights_t.data());
  }
  weights_t.resize(spec.layers.size());
  for (size_t l = 1; l < spec.layers.size(); ++l) {
    const DenseSpec& layer = spec.layers[l];
    weights_t[l].resize(size_t{layer.in} * layer.out);
    transpose(layer.weights.data(), layer.in, layer.out, layer.in, weights_t[l].data());
  }
}

void Trainer::State::backward(ShardWork& w) {
  const size_t n = w.end - w.begin;
  const size_t runs = w.run_request.size();
  const size_t layer_count = spec.layers.size();
  w.dz.resize(layer_count);
  w.dw.resize(layer_count);
  w.db.resize(layer_count);
  w.dz[layer_count - 1] = Eigen::Map<const Matrix>(w.g.data(), static_cast<Eigen::Index>(n), 1);
  // dW = x^T dz and dX = dz W^T on the runtime's kernels, dispatched per
  // instruction set (Eigen's products here would run at the width of the
  // baseline the trainer is compiled for).
  auto weight_gradient = [&](const float* x, size_t rows, size_t in, const float* dz, size_t out, float* dw) {
    w.x_t.resize(in * rows);
    transpose(x, rows, in, rows, w.x_t.data());
    kernels->dense_f32(w.x_t.data(), in, rows, dz, zeros.data(), out, 0, dw);
  };
  for (size_t l = layer_count; l-- > 0;) {
    const DenseSpec& layer = spec.layers[l];
    const size_t in = layer.in, out = layer.out;
    const float* dz = w.dz[l].data();
    w.db[l].setZero(static_cast<Eigen::Index>(out));
    float* db = w.db[l].data();
    for (size_t e = 0; e < n; ++e) {
      for (size_t j = 0; j < out; ++j) db[j] += dz[e * out + j];
    }
    w.dw[l].resize(static_cast<Eigen::Index>(in), static_cast<Eigen::Index>(out));
    if (l == 0) break;
    const float* a = w.a[l].data();
    weight_gradient(a, n, in, dz, out, w.dw[l].data());
    Matrix& next = w.dz[l - 1];
    next.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(in));
    kernels->dense_f32(dz, n, out, weights_t[l].data(), zeros.data(), in, 0, next.data());
    if (spec.layers[l - 1].relu) {
      float* d = next.data();
      for (size_t i = 0; i < n * in; ++i) d[i] = a[i] > 0.0f ? d[i] : 0.0f;
    }
  }
  // The first layer, split: the request half's gradients come from the
  // run's summed dz.
  const size_t h = spec.layers[0].out;
  const float* dz = w.dz[0].data();
  w.request_dz.setZero(static_cast<Eigen::Index>(runs), static_cast<Eigen::Index>(h));
  for (size_t e = 0; e < n; ++e) {
    float* sum = w.request_dz.row(static_cast<Eigen::Index>(w.run_of[e])).data();
    for (size_t j = 0; j < h; ++j) sum[j] += dz[e * h + j];
  }
  for (const SideLayout* side : {&request_side, &item_side}) {
    const bool request = side == &request_side;
    const size_t rows = request ? runs : n;
    const float* x = request ? w.request_x.data() : w.item_x.data();
    const float* side_dz = request ? w.request_dz.data() : dz;
    Matrix& dx = request ? w.request_dx : w.item_dx;
    w.side_dw.resize(size_t{side->width} * h);
    weight_gradient(x, rows, side->width, side_dz, h, w.side_dw.data());
    for (size_t j = 0; j < side->inputs.size(); ++j) {
      const uint32_t k = side->inputs[j];
      std::copy_n(w.side_dw.data() + size_t{side->offsets[j]} * h, size_t{std::max<uint32_t>(dims[k], 1)} * h,
                  w.dw[0].data() + size_t{offsets[k]} * h);
    }
    dx.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(padded(side->width)));
    kernels->dense_f32(side_dz, rows, h, side->weights_t.data(), zeros.data(), padded(side->width), 0, dx.data());
  }
  // Sparse gradients: wide coordinates and embedding rows.
  w.wide_grads.clear();
  for (size_t k = 0; k < w.row_refs.size(); ++k) {
    w.row_refs[k].clear();
    w.row_grads[k].clear();
  }
  auto scatter_side = [&](const SideEncoding& enc, const SideLayout& side, const float* dx_row) {
    for (size_t j = 0; j < side.inputs.size(); ++j) {
      const uint32_t k = side.inputs[j];
      const uint32_t dim = dims[k];
      if (dim == 0 || enc.deep_begin[j] == enc.deep_begin[j + 1]) continue;
      // The sequence encoder's input rows get theirs in backward_sequences.
      if (static_cast<int32_t>(k) == sequence_input) continue;
      const uint32_t start = static_cast<uint32_t>(w.row_grads[k].size());
      const float scale = enc.deep_scale[j];
      for (uint32_t c = 0; c < dim; ++c) w.row_grads[k].push_back(scale * dx_row[side.offsets[j] + c]);
      for (uint32_t t = enc.deep_begin[j]; t < enc.deep_begin[j + 1]; ++t)
        w.row_refs[k].emplace_back(enc.deep_ids[t], start);
    }
  };
  // Per run: the items' gradients example by example, then the request's
  // once (its wide coordinates with the run's summed d loss / d logit).
  for (size_t e0 = 0, run = 0; e0 < n; ++run) {
    float g_sum = 0.0f;
    size_t e1 = e0;
    for (; e1 < n && w.run_of[e1] == run; ++e1) {
      const TrainExample& ex = examples[w.begin + e1];
      const float g = w.g[e1];
      g_sum += g;
      const SideEncoding& item = item_encodings[ex.item];
      for (size_t t = 0; t < item.wide_index.size(); ++t)
        w.wide_grads.emplace_back(item.wide_index[t], g * item.wide_scale[t]);
      for (uint32_t t = ex.mixed_begin; t < ex.mixed_end; ++t)
        w.wide_grads.emplace_back(mixed_index[t], g * mixed_scale[t]);
      scatter_side(item, item_side, w.item_dx.row(static_cast<Eigen::Index>(e1)).data());
    }
    const SideEncoding& request = request_encodings[w.run_request[run]];
    for (size_t t = 0; t < request.wide_index.size(); ++t)
      w.wide_grads.emplace_back(request.wide_index[t], g_sum * request.wide_scale[t]);
    scatter_side(request, request_side, w.request_dx.row(static_cast<Eigen::Index>(run)).data());
    e0 = e1;
  }
}

void Trainer::State::encode_sequences(size_t count, bool training) {
  if (sequence_input < 0) return;
  const size_t k = static_cast<size_t>(sequence_input);
  const SequenceEncoderSpec& sequence = spec.deep[k].sequence;
  const float* table = spec.deep[table_of[k]].embedding.data();
  if (sequence_caches.size() < count) sequence_caches.resize(count);
  sequence_out.resize(count * sequence.dim);
  pool->run(kShards, [&](size_t sh) {
    for (size_t r = count * sh / kShards; r < count * (sh + 1) / kShards; ++r) {
      const SideEncoding& enc = request_encodings[r];
      const uint32_t begin = enc.deep_begin[sequence_slot], end = enc.deep_begin[sequence_slot + 1];
      // Dropout draws from a stream per step and request: the same
      // whatever thread runs it.
      Random random = Random::salted(config->training.seed ^ (step * 0x9E3779B97F4A7C15ULL) ^ (r << 1));
      const float dropout = training ? static_cast<float>(config->history.encoder_dropout) : 0.0f;
      sequence_forward(sequence, table, enc.deep_ids.data() + begin, end - begin, &sequence_caches[r],
                       &sequence_out[r * sequence.dim], dropout, training ? &random : nullptr);
    }
  });
}

void Trainer::State::backward_sequences(size_t request_count) {
  if (sequence_input < 0) return;
  const size_t k = static_cast<size_t>(sequence_input);
  const SequenceEncoderSpec& sequence = spec.deep[k].sequence;
  const uint32_t dim = sequence.dim;
  pool->run(kShards, [&](size_t sh) {
    ShardWork& w = shards[sh];
    w.sequence_grads.assign(sequence.params.size(), 0.0f);
    w.sequence_dout.resize(dim);
    for (size_t r = request_count * sh / kShards; r < request_count * (sh + 1) / kShards; ++r) {
      const SequenceCache& cache = sequence_caches[r];
      if (cache.n == 0) continue;
      // d loss / d output: the sum over the request's examples (a run in
      // one shard, or in two where the shards split it), in shard order.
      std::fill(w.sequence_dout.begin(), w.sequence_dout.end(), 0.0f);
      for (const ShardWork& holder : shards) {
        const auto run = std::lower_bound(holder.run_request.begin(), holder.run_request.end(), r);
        if (run == holder.run_request.end() || *run != r) continue;
        const float* dx = holder.request_dx.row(run - holder.run_request.begin()).data();
        for (uint32_t c = 0; c < dim; ++c) w.sequence_dout[c] += dx[request_side.offsets[sequence_slot] + c];
      }
      const uint32_t start = static_cast<uint32_t>(w.row_grads[k].size());
      w.row_grads[k].resize(start + cache.n * dim);
      sequence_backward(sequence, cache, w.sequence_dout.data(), w.sequence_grads.data(), &w.row_grads[k][start]);
      for (size_t t = 0; t < cache.n; ++t)
        w.row_refs[k].emplace_back(cache.ids[t], static_cast<uint32_t>(start + t * dim));
    }
  });
}

namespace {

// The optimizer steps run over every dense weight each step. The trainer is
// compiled for the instruction set baseline; on x86-64 these loops are also
// compiled for AVX2 and AVX-512, and the loader picks the widest the CPU
// runs (GCC and Clang function multi-versioning, ELF targets). Not under
// ThreadSanitizer: the loader runs the version picker (an ifunc resolver)
// before the sanitizer's runtime is up, and its instrumented code crashes.
#if defined(__SANITIZE_THREAD__)
#define BARISTA_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BARISTA_THREAD_SANITIZER 1
#endif
#endif
#if defined(__x86_64__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(BARISTA_THREAD_SANITIZER)
#define BARISTA_WIDEST_SIMD __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define BARISTA_WIDEST_SIMD
#endif

BARISTA_WIDEST_SIMD void adam_update(float* w, float* m, float* v, const float* g, size_t n, float lr, float b1,
                                     float b2, float eps, float l2) {
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i] + l2 * w[i];
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    w[i] -= lr * m[i] / (std::sqrt(v[i]) + eps);
  }
}

BARISTA_WIDEST_SIMD void adagrad_update(float* w, float* v, const float* g, size_t n, float lr, float l2) {
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i] + l2 * w[i];
    v[i] += gi * gi;
    w[i] -= lr * gi / std::sqrt(v[i]);
  }
}

// One optimizer step on n contiguous parameters with gradients g (plus an
// L2 term).
struct DeepStep {
  bool adam;
  float lr, b1, b2, eps, l2;

  void apply(float* w, float* m, float* v, const float* g, size_t n) const {
    if (adam) {
      adam_update(w, m, v, g, n, lr, b1, b2, eps, l2);
    } else {
      adagrad_update(w, v, g, n, lr, l2);
    }
  }
};

}  // namespace

void Trainer::State::apply_gradients(size_t shard_count) {
  const TrainingConfig& t = config->training;
  ++step;
  // Wide: merge in shard order (sequential: it builds the touched list).
  float bias_grad = 0.0f;
  for (size_t s = 0; s < shard_count; ++s) {
    for (float g : shards[s].g) bias_grad += g;
    const auto& grads = shards[s].wide_grads;
    for (size_t i = 0; i < grads.size(); ++i) {
      if (i + kPrefetchAhead < grads.size()) {
        __builtin_prefetch(&wide_touched_flag[grads[i + kPrefetchAhead].first]);
        __builtin_prefetch(&wide_grad[grads[i + kPrefetchAhead].first]);
      }
      const auto [index, g] = grads[i];
      if (!wide_touched_flag[index]) {
        wide_touched_flag[index] = 1;
        wide_touched.push_back(index);
      }
      wide_grad[index] += g;
    }
  }
  FtrlConfig unregularized = t.wide;
  unregularized.l1 = unregularized.l2 = 0.0;
  bias = ftrl_step(bias_grad, &bias_z, &bias_n, bias, unregularized);

  const DeepOptimizerConfig& o = t.deep;
  DeepStep deep_step;
  deep_step.adam = o.kind == DeepOptimizerConfig::Kind::Adam;
  deep_step.lr = static_cast<float>(deep_step.adam ? o.learning_rate *
                                                         std::sqrt(1.0 - std::pow(o.beta2, static_cast<double>(step))) /
                                                         (1.0 - std::pow(o.beta1, static_cast<double>(step)))
                                                   : o.learning_rate);
  deep_step.b1 = static_cast<float>(o.beta1);
  deep_step.b2 = static_cast<float>(o.beta2);
  deep_step.eps = static_cast<float>(o.epsilon);
  deep_step.l2 = static_cast<float>(o.l2);

  // Independent updates, run on the pool: each parameter is updated by
  // exactly one task, the same way whatever the thread count.
  std::vector<std::function<void()>> tasks;
  const size_t touched = wide_touched.size();
  for (size_t part = 0; part < 2; ++part) {
    tasks.emplace_back([this, part, touched, &t] {
      const size_t end = touched * (part + 1) / 2;
      for (size_t i = touched * part / 2; i < end; ++i) {
        // The coordinates are scattered over tables of up to millions:
        // their state is fetched ahead, a miss each otherwise.
        if (i + kPrefetchAhead < end) {
          const uint32_t ahead = wide_touched[i + kPrefetchAhead];
          __builtin_prefetch(&ftrl_z[ahead]);
          __builtin_prefetch(&ftrl_n[ahead]);
          __builtin_prefetch(&wide[ahead]);
        }
        const uint32_t index = wide_touched[i];
        wide[index] = ftrl_step(wide_grad[index], &ftrl_z[index], &ftrl_n[index], wide[index], t.wide);
        wide_grad[index] = 0.0f;
        wide_touched_flag[index] = 0;
      }
    });
  }
  // Embedding tables: gradients merged per table (a tied table collects
  // those of every input that reads it), in input and shard order, then one
  // step per touched row.
  for (size_t k = 0; k < spec.deep.size(); ++k) {
    if (dims[k] == 0 || table_of[k] != k) continue;
    tasks.emplace_back([this, k, shard_count, &deep_step] {
      const uint32_t dim = dims[k];
      std::vector<int32_t>& slot_of = slot_of_row[k];
      std::vector<uint32_t>& rows = slot_rows[k];
      std::vector<float>& grads = slot_grads[k];
      for (size_t reader = 0; reader < spec.deep.size(); ++reader) {
        if (table_of[reader] != k || dims[reader] == 0) continue;
        for (size_t s = 0; s < shard_count; ++s) {
          const ShardWork& w = shards[s];
          for (const auto& [row, start] : w.row_refs[reader]) {
            int32_t slot = slot_of[row];
            if (slot < 0) {
              slot = static_cast<int32_t>(rows.size());
              slot_of[row] = slot;
              rows.push_back(row);
              grads.resize(grads.size() + dim, 0.0f);
            }
            float* target = grads.data() + size_t(slot) * dim;
            const float* source = w.row_grads[reader].data() + start;
            for (uint32_t c = 0; c < dim; ++c) target[c] += source[c];
          }
        }
      }
      float* table = spec.deep[k].embedding.data();
      float* m = deep_step.adam ? emb_m[k].data() : nullptr;
      float* v = emb_v[k].data();
      for (size_t slot = 0; slot < rows.size(); ++slot) {
        const size_t base = size_t{rows[slot]} * dim;
        deep_step.apply(table + base, m ? m + base : nullptr, v + base, grads.data() + slot * dim, dim);
        slot_of[rows[slot]] = -1;
      }
      rows.clear();
      grads.clear();
    });
  }
  // Dense layers, in two halves each: gradients summed in shard order.
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    for (size_t part = 0; part < 2; ++part) {
      tasks.emplace_back([this, l, part, shard_count, &deep_step] {
        DenseSpec& layer = spec.layers[l];
        const size_t n = layer.weights.size();
        const size_t begin = n * part / 2, end = n * (part + 1) / 2;
        std::vector<float> g(shards[0].dw[l].data() + begin, shards[0].dw[l].data() + end);
        for (size_t s = 1; s < shard_count; ++s) {
          const float* other = shards[s].dw[l].data();
          for (size_t i = begin; i < end; ++i) g[i - begin] += other[i];
        }
        deep_step.apply(layer.weights.data() + begin, deep_step.adam ? layer_wm[l].data() + begin : nullptr,
                        layer_wv[l].data() + begin, g.data(), end - begin);
        if (part == 0) {
          std::vector<float> gb(shards[0].db[l].data(), shards[0].db[l].data() + layer.bias.size());
          for (size_t s = 1; s < shard_count; ++s) {
            for (size_t i = 0; i < gb.size(); ++i) gb[i] += shards[s].db[l].data()[i];
          }
          deep_step.apply(layer.bias.data(), deep_step.adam ? layer_bm[l].data() : nullptr, layer_bv[l].data(),
                          gb.data(), gb.size());
        }
      });
    }
  }
  if (sequence_input >= 0) {
    tasks.emplace_back([this, shard_count, &deep_step] {
      std::vector<float>& params = spec.deep[static_cast<size_t>(sequence_input)].sequence.params;
      std::vector<float> g = shards[0].sequence_grads;
      for (size_t s = 1; s < shard_count; ++s) {
        for (size_t i = 0; i < g.size(); ++i) g[i] += shards[s].sequence_grads[i];
      }
      deep_step.apply(params.data(), deep_step.adam ? sequence_m.data() : nullptr, sequence_v.data(), g.data(),
                      g.size());
    });
  }
  pool->run(tasks.size(), [&](size_t i) { tasks[i](); });
  wide_touched.clear();
}

void Trainer::State::sync_spec() {
  // Tied tables are written out as copies of their owner.
  for (size_t k = 0; k < table_of.size(); ++k) {
    if (table_of[k] != k) spec.deep[k].embedding = spec.deep[table_of[k]].embedding;
  }
  size_t offset = 0;
  for (WideTermSpec& term : spec.wide) {
    std::copy(wide.begin() + static_cast<ptrdiff_t>(offset),
              wide.begin() + static_cast<ptrdiff_t>(offset + term.weights.size()), term.weights.begin());
    offset += term.weights.size();
  }
  spec.wide_bias = bias;
}

Status Trainer::State::write_current(std::vector<uint8_t>* bytes) {
  sync_spec();
  return write_model(spec, WriteOptions(), bytes);
}

Status Trainer::run(const std::function<void(const EpochReport&)>& on_epoch, TrainSummary* summary) {
  State& s = *state_;
  const TrainConfig& config = *s.config;
  const TrainingConfig& t = config.training;
  const Dataset& data = *s.data;
  Random random = Random::salted(t.seed);

  std::vector<uint32_t> positives;
  for (size_t i = 0; i < data.interactions.size(); ++i) {
    if (s.split->in_training[i]) positives.push_back(static_cast<uint32_t>(i));
  }
  if (positives.empty()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "no training interactions");
  const size_t per_positive = 1 + t.negatives;
  const size_t positives_per_batch = std::max<size_t>(1, t.batch_size / per_positive);
  const bool validate = t.patience > 0 && std::any_of(s.split->validation.begin(), s.split->validation.end(),
                                                      [](int64_t v) { return v >= 0; });
  // The best epoch's parameters, kept for early stopping.
  ModelSpec best_spec;
  double best_hr = -1.0;
  uint32_t best_epoch = 0, since_best = 0;
  TrainSummary result;

  for (uint32_t epoch = 1; epoch <= t.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    // Fisher-Yates with our own generator (std::shuffle is not portable).
    for (size_t i = positives.size(); i > 1; --i) std::swap(positives[i - 1], positives[random.below(i)]);
    double loss = 0.0;
    size_t examples = 0;
    for (size_t begin = 0; begin < positives.size(); begin += positives_per_batch) {
      const size_t end = std::min(positives.size(), begin + positives_per_batch);
      s.request_encodings.resize(end - begin);
      s.examples.clear();
      s.mixed_index.clear();
      s.mixed_scale.clear();
      for (size_t p = begin; p < end; ++p) {
        const Interaction& x = data.interactions[positives[p]];
        // Dropout presents the example as a customer the model has never
        // seen, which trains the representation new customers get.
        const bool keep_user = !(config.user_id.dropout > 0.0 && random.uniform() < config.user_id.dropout);
        BARISTA_RETURN_IF_ERROR(
            s.requests.fill(positives[p], keep_user ? UserIdMode::Logged : UserIdMode::Unseen, s.request_bag.get()));
        const uint32_t r = static_cast<uint32_t>(p - begin);
        BARISTA_RETURN_IF_ERROR(s.encode_side(s.request_bag.get(), 0, Side::Request, &s.request_encodings[r]));
        auto add = [&](uint32_t item, float label, float weight) -> Status {
          TrainExample ex;
          ex.request = r;
          ex.item = item;
          ex.label = label;
          ex.weight = weight;
          ex.mixed_begin = static_cast<uint32_t>(s.mixed_index.size());
          BARISTA_RETURN_IF_ERROR(s.encode_mixed(*s.request_bag, item));
          ex.mixed_end = static_cast<uint32_t>(s.mixed_index.size());
          s.examples.push_back(ex);
          return Status();
        };
        BARISTA_RETURN_IF_ERROR(add(x.item, x.label, x.weight));
        if (x.label > 0.5f) {
          for (uint32_t k = 0; k < t.negatives; ++k)
            BARISTA_RETURN_IF_ERROR(add(s.sample_negative(random, x.user, x.item), 0.0f, x.weight));
        }
      }
      // Fixed shards, computed on the pool, merged in order.
      const size_t n = s.examples.size();
      for (size_t sh = 0; sh < kShards; ++sh) {
        s.shards[sh].begin = n * sh / kShards;
        s.shards[sh].end = n * (sh + 1) / kShards;
      }
      s.encode_sequences(end - begin, true);
      s.prepare_layers();
      s.pool->run(kShards, [&](size_t sh) {
        ShardWork& w = s.shards[sh];
        s.forward(w, n);
        s.backward(w);
      });
      s.backward_sequences(end - begin);
      for (const ShardWork& w : s.shards) loss += w.loss;
      examples += n;
      s.apply_gradients(kShards);
    }
    EpochReport report;
    report.epoch = epoch;
    report.examples = examples;
    report.loss = loss / static_cast<double>(std::max<size_t>(1, examples));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.examples += examples;
    result.seconds += report.seconds;
    result.epochs = epoch;
    if (validate) {
      std::vector<uint8_t> bytes;
      BARISTA_RETURN_IF_ERROR(s.write_current(&bytes));
      std::unique_ptr<Model> model;
      BARISTA_RETURN_IF_ERROR(Model::open_buffer(bytes.data(), bytes.size(), OpenOptions(), &model));
      RequestBuilder requests;
      BARISTA_RETURN_IF_ERROR(RequestBuilder::create(config, data, *model, &requests));
      EvalOptions options;
      options.max_users = t.validation_users;
      options.pointwise = false;
      EvalMetrics metrics;
      BARISTA_RETURN_IF_ERROR(evaluate_model(*model, data, requests, s.split->validation, options, &metrics));
      report.validation_hr = metrics.hit_rate;
      if (metrics.hit_rate > best_hr) {
        best_hr = metrics.hit_rate;
        best_epoch = epoch;
        since_best = 0;
        best_spec = s.spec;
        report.best = true;
      } else {
        ++since_best;
      }
    }
    if (on_epoch) on_epoch(report);
    if (validate && since_best >= t.patience) break;
  }
  if (validate && best_epoch > 0) {
    s.spec = std::move(best_spec);  // synced when it was saved
  } else {
    s.sync_spec();
    best_epoch = result.epochs;
  }
  result.best_epoch = best_epoch;
  result.best_validation_hr = best_hr;
  result.examples_per_second = result.seconds > 0 ? static_cast<double>(result.examples) / result.seconds : 0.0;
  *summary = result;
  return Status();
}

Status Trainer::logit(size_t position, UserIdMode user_id, uint32_t item, float* out) {
  State& s = *state_;
  BARISTA_RETURN_IF_ERROR(s.requests.fill(position, user_id, s.request_bag.get()));
  s.request_encodings.resize(1);
  BARISTA_RETURN_IF_ERROR(s.encode_side(s.request_bag.get(), 0, Side::Request, &s.request_encodings[0]));
  s.examples.clear();
  s.mixed_index.clear();
  s.mixed_scale.clear();
  TrainExample ex;
  ex.item = item;
  BARISTA_RETURN_IF_ERROR(s.encode_mixed(*s.request_bag, item));
  ex.mixed_end = static_cast<uint32_t>(s.mixed_index.size());
  s.examples.push_back(ex);
  s.encode_sequences(1, false);
  ShardWork w;
  w.begin = 0;
  w.end = 1;
  // Parameters as the spec holds them (the best epoch's, after run()).
  s.wide.clear();
  for (const WideTermSpec& term : s.spec.wide) s.wide.insert(s.wide.end(), term.weights.begin(), term.weights.end());
  s.bias = s.spec.wide_bias;
  s.prepare_layers();
  s.forward(w, 1);
  *out = w.logits[0];
  return Status();
}

Status train_model(const TrainConfig& config, const Dataset& data, const Split& split,
                   const std::function<void(const EpochReport&)>& on_epoch, ModelSpec* out, TrainSummary* summary) {
  BARISTA_RETURN_IF_ERROR(check_trainable(config));
  // The estimate is a lower bound (vocabularies grow with the data): an
  // allocation can still fail, and then says what it was for.
  const char* allocating = "the model's parameters (embeddings, wide weights, vocabularies)";
  try {
    ModelSpec spec;
    BARISTA_RETURN_IF_ERROR(build_model_spec(config, data, split, &spec));
    allocating = "the trainer's state (optimizer moments, gradients, per-shard buffers)";
    std::unique_ptr<Trainer> trainer;
    BARISTA_RETURN_IF_ERROR(Trainer::create(config, data, split, std::move(spec), &trainer));
    allocating = "a training step's buffers";
    BARISTA_RETURN_IF_ERROR(trainer->run(on_epoch, summary));
    allocating = "the trained model";
    *out = trainer->spec();
  } catch (const std::bad_alloc&) {
    const SizeEstimate estimate = estimate_size(config);
    return make_error(BARISTA_STATUS_OUT_OF_MEMORY,
                      "out of memory allocating %s (the config alone needs at least %.1f GiB; its largest part is "
                      "%s)",
                      allocating, static_cast<double>(estimate.training_bytes) / (1u << 30),
                      estimate.largest_key.c_str());
  }
  return Status();
}

}  // namespace barista::internal
