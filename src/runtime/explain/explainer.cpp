#include "explain/explainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/half.h"
#include "hash/fingerprint.h"

namespace barista::internal {

namespace {

float wide_weight(const Model& model, size_t at) {
  const TensorView& weights = model.wide_weights();
  return weights.dtype == fb::DType::F16 ? half_to_float(weights.f16[at]) : weights.f32[at];
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

Explainer::Explainer(const Model& model) : model_(model), encoder_(model) {
  const Span<LayerInfo> layers = model.layers();
  const uint32_t width = layers.empty() ? 0 : layers[0].in;
  x_.assign(width, 0.0f);
  zero_.assign(width, 0.0f);
  total_gradient_.assign(width, 0.0f);
  points_.assign(size_t{kIntegrationSteps} * width, 0.0f);
  uint32_t widest = width;
  activations_.resize(layers.size());
  transposed_.resize(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    activations_[l].assign(size_t{kIntegrationSteps} * layer.out, 0.0f);
    transposed_[l].resize(size_t{layer.in} * layer.out);
    for (uint32_t i = 0; i < layer.in; ++i) {
      for (uint32_t j = 0; j < layer.out; ++j) transposed_[l][size_t{j} * layer.in + i] = layer.weights[size_t{i} * layer.out + j];
    }
    widest = std::max(widest, layer.out);
  }
  back_a_.assign(size_t{kIntegrationSteps} * widest, 0.0f);
  back_b_.assign(size_t{kIntegrationSteps} * widest, 0.0f);
  zero_bias_.assign(widest, 0.0f);
}

Status Explainer::describe(const Example& example, uint32_t column_index, uint32_t id, std::string* out) {
  const ColumnInfo& column = model_.columns()[column_index];
  const InputInfo& input = model_.inputs()[column.input];
  out->clear();
  switch (column.kind) {
    case fb::ColumnKind::Hashed: {
      // The values whose hash lands in this bucket (more than one: a collision).
      Span<uint64_t> values;
      BARISTA_RETURN_IF_ERROR(encoder_.column_values(example, column, &values));
      for (uint64_t fp : values) {
        if (fp % column.buckets != id) continue;
        std::string name;
        const int64_t item = model_.find_item(fp);
        if (static_cast<int32_t>(column.input) == model_.user_id_input()) {
          name = "this customer";
        } else if (item < 0 || !model_.item_id(static_cast<uint32_t>(item), &name)) {
          name = "bucket " + std::to_string(id);
        }
        if (out->find(name) != std::string::npos) continue;
        if (!out->empty()) *out += " | ";
        *out += name;
      }
      if (out->empty()) *out = "bucket " + std::to_string(id);
      return Status();
    }
    case fb::ColumnKind::Vocabulary:
      if (!model_.vocabulary_key(column, id, out)) *out = "(a value outside the vocabulary)";
      return Status();
    case fb::ColumnKind::Bucketized: {
      const Span<float> b = column.boundaries;
      if (id == 0) {
        *out = std::string(input.name) + " < " + number(b[0]);
      } else if (id >= b.size()) {
        *out = std::string(input.name) + " >= " + number(b[b.size() - 1]);
      } else {
        *out = std::string(input.name) + " in [" + number(b[id - 1]) + ", " + number(b[id]) + ")";
      }
      return Status();
    }
    case fb::ColumnKind::Crossed:
    case fb::ColumnKind::Numeric: break;
  }
  return make_error(BARISTA_STATUS_INTERNAL, "column '%s' has no single ids to describe", column.name);
}

Status Explainer::describe_cross(const Example& example, uint32_t column_index,
                                 Vec<std::pair<uint32_t, std::string>>* out) {
  // The fingerprint chains of Encoder::column_ids, carrying what each link was.
  const ColumnInfo& column = model_.columns()[column_index];
  Vec<std::pair<uint64_t, std::string>> chains(1, {column.hash_key, std::string()}), next;
  Vec<std::pair<uint64_t, std::string>> links;
  for (uint32_t component : column.crossed) {
    const ColumnInfo& part = model_.columns()[component];
    links.clear();
    if (part.kind == fb::ColumnKind::Hashed) {
      Span<uint64_t> values;
      BARISTA_RETURN_IF_ERROR(encoder_.column_values(example, part, &values));
      values_.assign(values.begin(), values.end());  // the span may be the encoder's scratch
      for (uint64_t fp : values_) {
        std::string name;
        BARISTA_RETURN_IF_ERROR(describe(example, component, static_cast<uint32_t>(fp % part.buckets), &name));
        links.emplace_back(fp, std::move(name));
      }
    } else {
      ids_.clear();
      BARISTA_RETURN_IF_ERROR(encoder_.column_ids(example, component, &ids_));
      const Vec<uint32_t> ids = ids_;
      for (uint32_t id : ids) {
        std::string name;
        BARISTA_RETURN_IF_ERROR(describe(example, component, id, &name));
        links.emplace_back(fingerprint64_of_int(id), std::move(name));
      }
    }
    next.clear();
    for (const auto& chain : chains) {
      for (const auto& link : links) {
        next.emplace_back(fingerprint_cat64(chain.first, link.first),
                          chain.second.empty() ? link.second : chain.second + " \u00d7 " + link.second);
      }
    }
    chains.swap(next);
    if (chains.empty()) break;
  }
  out->clear();
  for (auto& chain : chains) out->emplace_back(static_cast<uint32_t>(chain.first % column.buckets), chain.second);
  return Status();
}

Status Explainer::wide_part(const Example& example, uint64_t user, bool has_user, const OverlayStore* overlay,
                            Explanation* out) {
  const bool learns = overlay != nullptr && has_user;
  Vec<std::pair<uint32_t, std::string>> fired;
  for (Span<WideTermInfo> terms : {model_.wide_request_terms(), model_.wide_item_terms(), model_.wide_mixed_terms()}) {
    for (const WideTermInfo& term : terms) {
      const ColumnInfo& column = model_.columns()[term.column];
      if (!column.is_categorical()) {
        const float x = encoder_.numeric_value(example, term.column);
        WideContribution c;
        c.column = term.column;
        c.value = std::string(model_.inputs()[column.input].name) + " = " +
                  number(encoder_.input_number(example, column.input));
        c.model = wide_weight(model_, term.offset) * x;
        if (learns && term.learnable) c.learned = overlay->weight(user, term.offset) * x;
        out->wide_terms.push_back(std::move(c));
        continue;
      }
      fired.clear();
      if (column.kind == fb::ColumnKind::Crossed) {
        BARISTA_RETURN_IF_ERROR(describe_cross(example, term.column, &fired));
      } else {
        ids_.clear();
        BARISTA_RETURN_IF_ERROR(encoder_.column_ids(example, term.column, &ids_));
        const Vec<uint32_t> ids = ids_;
        for (uint32_t id : ids) {
          std::string name;
          BARISTA_RETURN_IF_ERROR(describe(example, term.column, id, &name));
          fired.emplace_back(id, std::move(name));
        }
      }
      const float scale = combiner_scale(term.combiner, fired.size());
      // An id that fired more than once (a drink twice in the history) is
      // one contribution.
      std::stable_sort(fired.begin(), fired.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < fired.size();) {
        size_t j = i;
        while (j < fired.size() && fired[j].first == fired[i].first) ++j;
        const float times = static_cast<float>(j - i);
        const size_t at = size_t{term.offset} + fired[i].first;
        WideContribution c;
        c.column = term.column;
        c.value = fired[i].second;
        c.model = wide_weight(model_, at) * scale * times;
        if (learns && term.learnable) c.learned = overlay->weight(user, static_cast<uint32_t>(at)) * scale * times;
        out->wide_terms.push_back(std::move(c));
        i = j;
      }
    }
  }
  for (const WideContribution& c : out->wide_terms) {
    out->wide += c.model;
    out->learned += c.learned;
  }
  std::stable_sort(out->wide_terms.begin(), out->wide_terms.end(), [](const auto& a, const auto& b) {
    return std::fabs(a.model + a.learned) > std::fabs(b.model + b.learned);
  });
  return Status();
}

float Explainer::forward(const float* x) {
  const KernelTable& k = model_.kernels();
  const float* in = x;
  float* buffers[2] = {back_a_.data(), back_b_.data()};
  int which = 0;
  for (const LayerInfo& layer : model_.layers()) {
    k.dense_f32(in, 1, layer.in, layer.weights, layer.bias, layer.out, layer.relu, buffers[which]);
    in = buffers[which];
    which ^= 1;
  }
  return in[0];
}

void Explainer::integrate(const float* x) {
  const KernelTable& k = model_.kernels();
  const Span<LayerInfo> layers = model_.layers();
  const uint32_t width = static_cast<uint32_t>(x_.size());
  constexpr uint32_t rows = kIntegrationSteps;
  for (uint32_t s = 0; s < rows; ++s) {
    const float t = (static_cast<float>(s) + 0.5f) / static_cast<float>(rows);
    for (uint32_t i = 0; i < width; ++i) points_[size_t{s} * width + i] = t * x[i];
  }
  // Forward, every point at once, keeping each layer's output.
  const float* in = points_.data();
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    k.dense_f32(in, rows, layer.in, layer.weights, layer.bias, layer.out, layer.relu, activations_[l].data());
    in = activations_[l].data();
  }
  // Backward: g holds d output / d (layer l's output) per point; through
  // the ReLU's mask, then the transposed weights.
  float* g = back_a_.data();
  float* previous = back_b_.data();
  for (uint32_t s = 0; s < rows; ++s) g[s] = 1.0f;
  for (size_t l = layers.size(); l-- > 0;) {
    const LayerInfo& layer = layers[l];
    if (layer.relu) {
      const float* a = activations_[l].data();
      for (size_t i = 0; i < size_t{rows} * layer.out; ++i) {
        if (a[i] <= 0.0f) g[i] = 0.0f;
      }
    }
    k.dense_f32(g, rows, layer.out, transposed_[l].data(), zero_bias_.data(), layer.in, 0, previous);
    std::swap(g, previous);
  }
  std::fill(total_gradient_.begin(), total_gradient_.end(), 0.0f);
  for (uint32_t s = 0; s < rows; ++s) {
    for (uint32_t i = 0; i < width; ++i) total_gradient_[i] += g[size_t{s} * width + i];
  }
}

Status Explainer::explain(const FeatureBag& request, ItemRef item, const OverlayStore* overlay, Explanation* out) {
  *out = Explanation();
  BARISTA_RETURN_IF_ERROR(encoder_.check_crosses(request));
  const Example example{&request, item};
  uint64_t user = 0;
  bool has_user = false;
  if (model_.user_id_input() >= 0) {
    const Span<uint64_t> id = request.values(static_cast<uint32_t>(model_.user_id_input()));
    has_user = !id.empty();
    if (has_user) user = id[0];
  }
  out->bias = model_.wide_bias();
  BARISTA_RETURN_IF_ERROR(wide_part(example, user, has_user, overlay, out));

  // The deep part: the output as the scorer computes it (the same
  // kernels), and integrated gradients from the all-zero input.
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Request, x_.data()));
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Item, x_.data() + model_.deep_request_width()));
  out->deep = forward(x_.data());
  out->deep_baseline = forward(zero_.data());
  integrate(x_.data());
  double attributed = 0.0;
  for (const DeepInputInfo& input : model_.deep_inputs()) {
    double sum = 0.0;
    for (uint32_t i = input.offset; i < input.offset + input.width; ++i) {
      sum += static_cast<double>(x_[i]) * static_cast<double>(total_gradient_[i]) / kIntegrationSteps;
    }
    out->deep_inputs.push_back(DeepAttribution{input.column, static_cast<float>(sum)});
    attributed += sum;
  }
  out->integration_error = static_cast<float>(static_cast<double>(out->deep - out->deep_baseline) - attributed);
  out->logit = out->bias + out->wide + out->learned + out->deep;
  return Status();
}

}  // namespace barista::internal
