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
  point_.assign(width, 0.0f);
  gradient_.assign(width, 0.0f);
  total_gradient_.assign(width, 0.0f);
  uint32_t widest = width;
  activations_.resize(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    activations_[l].assign(layers[l].out, 0.0f);
    widest = std::max(widest, layers[l].out);
  }
  back_a_.assign(widest, 0.0f);
  back_b_.assign(widest, 0.0f);
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

float Explainer::forward_backward(const float* x, float* gradient) {
  const Span<LayerInfo> layers = model_.layers();
  const float* in = x;
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerInfo& layer = layers[l];
    float* out = activations_[l].data();
    for (uint32_t j = 0; j < layer.out; ++j) out[j] = layer.bias[j];
    for (uint32_t i = 0; i < layer.in; ++i) {
      const float v = in[i];
      if (v == 0.0f) continue;
      const float* row = layer.weights + size_t{i} * layer.out;
      for (uint32_t j = 0; j < layer.out; ++j) out[j] += v * row[j];
    }
    if (layer.relu) {
      for (uint32_t j = 0; j < layer.out; ++j) out[j] = std::max(out[j], 0.0f);
    }
    in = out;
  }
  const float output = in[0];
  if (gradient == nullptr) return output;
  // Back through the layers: d output / d (layer l's output) in g.
  float* g = back_a_.data();
  float* previous = back_b_.data();
  g[0] = 1.0f;
  for (size_t l = layers.size(); l-- > 0;) {
    const LayerInfo& layer = layers[l];
    if (layer.relu) {
      for (uint32_t j = 0; j < layer.out; ++j) {
        if (activations_[l][j] <= 0.0f) g[j] = 0.0f;
      }
    }
    float* into = l == 0 ? gradient : previous;
    for (uint32_t i = 0; i < layer.in; ++i) {
      const float* row = layer.weights + size_t{i} * layer.out;
      float sum = 0.0f;
      for (uint32_t j = 0; j < layer.out; ++j) sum += row[j] * g[j];
      into[i] = sum;
    }
    std::swap(g, previous);
  }
  return output;
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

  // The deep part: the output as the scorer computes it (the same kernels),
  // and integrated gradients from the all-zero input.
  const uint32_t width = static_cast<uint32_t>(x_.size());
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Request, x_.data()));
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Item, x_.data() + model_.deep_request_width()));
  const KernelTable& k = model_.kernels();
  const float* in = x_.data();
  float* scratch[2] = {back_a_.data(), back_b_.data()};
  int which = 0;
  for (const LayerInfo& layer : model_.layers()) {
    k.dense_f32(in, 1, layer.in, layer.weights, layer.bias, layer.out, layer.relu, scratch[which]);
    in = scratch[which];
    which ^= 1;
  }
  out->deep = in[0];
  std::fill(point_.begin(), point_.end(), 0.0f);
  out->deep_baseline = forward_backward(point_.data(), nullptr);
  const float at_x = forward_backward(x_.data(), nullptr);
  std::fill(total_gradient_.begin(), total_gradient_.end(), 0.0f);
  for (uint32_t s = 0; s < kIntegrationSteps; ++s) {
    const float t = (static_cast<float>(s) + 0.5f) / static_cast<float>(kIntegrationSteps);
    for (uint32_t i = 0; i < width; ++i) point_[i] = t * x_[i];
    forward_backward(point_.data(), gradient_.data());
    for (uint32_t i = 0; i < width; ++i) total_gradient_[i] += gradient_[i];
  }
  double attributed = 0.0;
  for (const DeepInputInfo& input : model_.deep_inputs()) {
    double sum = 0.0;
    for (uint32_t i = input.offset; i < input.offset + input.width; ++i) {
      sum += static_cast<double>(x_[i]) * static_cast<double>(total_gradient_[i]) / kIntegrationSteps;
    }
    out->deep_inputs.push_back(DeepAttribution{input.column, static_cast<float>(sum)});
    attributed += sum;
  }
  out->integration_error = static_cast<float>(static_cast<double>(at_x - out->deep_baseline) - attributed);
  out->logit = out->bias + out->wide + out->learned + out->deep;
  return Status();
}

}  // namespace barista::internal
