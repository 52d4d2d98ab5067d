#include "catalog/catalog_changes.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/little_endian.h"
#include "hash/fingerprint.h"
#include "platform/file_io.h"

namespace barista::internal {

namespace {

constexpr char kMagic[8] = {'B', 'R', 'S', 'T', 'C', 'A', 'T', 'C'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = 48;

// Reads the body front to back; any read past the end marks it bad.
struct Reader {
  const uint8_t* p;
  size_t left;
  bool bad = false;
  bool take(size_t n) {
    if (bad || left < n) {
      bad = true;
      return false;
    }
    return true;
  }
  uint32_t u32() {
    if (!take(4)) return 0;
    const uint32_t v = get32(p);
    p += 4;
    left -= 4;
    return v;
  }
  float f32() {
    if (!take(4)) return 0.0f;
    const float v = getf(p);
    p += 4;
    left -= 4;
    return v;
  }
  uint64_t u64() {
    const uint64_t lo = u32();
    return lo | static_cast<uint64_t>(u32()) << 32;
  }
  uint8_t u8() {
    if (!take(1)) return 0;
    --left;
    return *p++;
  }
  std::string_view bytes(size_t n) {
    if (!take(n)) return {};
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    left -= n;
    return s;
  }
};

Status corrupt(const std::string& path, const char* what) {
  return make_error(BARISTA_STATUS_CORRUPT_OVERLAY, "catalog changes file '%s': %s", path.c_str(), what);
}

}  // namespace

CatalogChanges::CatalogChanges(const Model& model) : model_(model), encoder_(model) {
  x_.assign(model.deep_width(), 0.0f);
}

Status CatalogChanges::open(const Model& model, const std::string& path, std::unique_ptr<CatalogChanges>* out) {
  std::unique_ptr<CatalogChanges> changes(new CatalogChanges(model));
  changes->path_ = path;
  if (!path.empty()) {
    BARISTA_RETURN_IF_ERROR(check_regular_or_absent(path));
    Vec<uint8_t> data;
    bool exists = false;
    BARISTA_RETURN_IF_ERROR(read_whole_file(path, &data, &exists));
    if (exists) BARISTA_RETURN_IF_ERROR(changes->load(data));
  }
  *out = std::move(changes);
  return Status();
}

bool CatalogChanges::available(uint32_t item) const {
  return !std::binary_search(unavailable_.begin(), unavailable_.end(), item);
}

Status CatalogChanges::set_available(uint32_t item, bool available) {
  const uint32_t n = model_.catalog().count;
  if (item >= n) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "item %u is out of range (the catalog has %u items)", item, n);
  }
  const auto at = std::lower_bound(unavailable_.begin(), unavailable_.end(), item);
  const bool listed = at != unavailable_.end() && *at == item;
  if (!available && !listed) unavailable_.insert(at, item);
  if (available && listed) unavailable_.erase(at);
  return Status();
}

int64_t CatalogChanges::find_added(std::string_view id) const {
  for (size_t i = 0; i < added_.size(); ++i) {
    if (added_[i]->id == id) return static_cast<int64_t>(i);
  }
  return -1;
}

Status CatalogChanges::prepare(Added* added) {
  // The writer's per-item precompute (src/README.md, 'The fast path'), for
  // one item.
  const Example example{nullptr, ItemRef::described(added->bag)};
  const LayerInfo& first = model_.layers()[0];
  const uint32_t request_width = model_.deep_request_width();
  const uint32_t item_width = model_.deep_width() - request_width;
  BARISTA_RETURN_IF_ERROR(encoder_.deep_side(example, Side::Item, x_.data()));
  added->half.assign(first.out, 0.0f);
  const Vec<float> zero_bias(first.out, 0.0f);
  model_.kernels().dense_f32(x_.data(), 1, item_width, first.weights + size_t{request_width} * first.out,
                             zero_bias.data(), first.out, 0, added->half.data());
  return encoder_.wide_sum(example, model_.wide_item_terms(), &added->item_wide);
}

void CatalogChanges::refresh_prepared() {
  prepared_.resize(added_.size());
  for (size_t i = 0; i < added_.size(); ++i) {
    prepared_[i] = PreparedItem{&added_[i]->bag, added_[i]->half.data(), added_[i]->item_wide};
  }
}

Status CatalogChanges::add(std::string_view id, const FeatureBag& features) {
  if (&features.model() != &model_ || features.role() != BagRole::Item) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the item was made for another model, or is not an item");
  }
  if (id.empty()) return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "an added item needs an id");
  const uint64_t fp = fingerprint64(id);
  if (model_.find_item(fp) >= 0) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT,
                      "item '%.*s' is in the catalog: mark it available or unavailable instead of adding it",
                      static_cast<int>(id.size()), id.data());
  }
  const uint32_t id_input = model_.item_id_input();
  const Span<uint64_t> given = features.values(id_input);
  if (!given.empty() && given[0] != fp) {
    return make_error(BARISTA_STATUS_INVALID_ARGUMENT, "the item's %s is not '%.*s'", model_.inputs()[id_input].name,
                      static_cast<int>(id.size()), id.data());
  }
  const int64_t existing = find_added(id);
  if (existing < 0 && added_.size() >= kMaxAddedItems) {
    return make_error(BARISTA_STATUS_LIMIT_EXCEEDED, "%zu items are added already, the most there can be",
                      kMaxAddedItems);
  }
  // Built apart and swapped in: a refusal leaves the changes as they were.
  std::unique_ptr<Added> added(new Added{std::string(id), features, {}, 0.0f});
  if (given.empty()) BARISTA_RETURN_IF_ERROR(added->bag.add_fingerprint(id_input, fp));
  BARISTA_RETURN_IF_ERROR(prepare(added.get()));
  if (existing >= 0) {
    added_[static_cast<size_t>(existing)] = std::move(added);
  } else {
    added_.push_back(std::move(added));
  }
  refresh_prepared();
  return Status();
}

Status CatalogChanges::remove(std::string_view id) {
  const int64_t at = find_added(id);
  if (at < 0) {
    return make_error(BARISTA_STATUS_NOT_FOUND, "no added item '%.*s'", static_cast<int>(id.size()), id.data());
  }
  added_.erase(added_.begin() + at);
  refresh_prepared();
  return Status();
}

void CatalogChanges::encode(Vec<uint8_t>* out) const {
  Vec<uint8_t> body;
  put32(&body, static_cast<uint32_t>(unavailable_.size()));
  for (uint32_t item : unavailable_) put32(&body, item);
  put32(&body, static_cast<uint32_t>(added_.size()));
  const Span<InputInfo> inputs = model_.inputs();
  for (const auto& added : added_) {
    put32(&body, static_cast<uint32_t>(added->id.size()));
    body.insert(body.end(), added->id.begin(), added->id.end());
    for (uint32_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_item_side() || i == model_.item_id_input()) continue;
      if (inputs[i].kind == fb::ValueKind::Numeric) {
        body.push_back(added->bag.has_number(i) ? 1 : 0);
        putf(&body, added->bag.number(i));
        continue;
      }
      const Span<uint64_t> values = added->bag.values(i);
      put32(&body, static_cast<uint32_t>(values.size()));
      for (uint64_t v : values) put64(&body, v);
    }
  }
  out->clear();
  out->insert(out->end(), kMagic, kMagic + 8);
  put32(out, kVersion);
  put32(out, 0);
  put64(out, model_.root().checksum());
  put64(out, body.size());
  put64(out, fingerprint64(body.data(), body.size()));
  put64(out, fingerprint64(out->data(), out->size()));
  out->insert(out->end(), body.begin(), body.end());
}

Status CatalogChanges::load(const Vec<uint8_t>& data) {
  // Written whole and replaced atomically: anything short or damaged is
  // corruption, never a torn write.
  if (data.size() < kHeader) return corrupt(path_, "shorter than its header");
  if (fingerprint64(data.data(), 40) != get64(data.data() + 40)) return corrupt(path_, "the header is damaged");
  if (std::memcmp(data.data(), kMagic, 8) != 0) return corrupt(path_, "not a barista catalog changes file");
  Reader header{data.data() + 8, 8};
  const uint32_t version = header.u32();
  if (version != kVersion) {
    return make_error(BARISTA_STATUS_UNSUPPORTED_VERSION,
                      "catalog changes file '%s' has format version %u; this library reads %u", path_.c_str(), version,
                      kVersion);
  }
  if (get64(data.data() + 16) != model_.root().checksum()) {
    return make_error(BARISTA_STATUS_WRONG_MODEL, "catalog changes file '%s' was written for another model",
                      path_.c_str());
  }
  if (get64(data.data() + 24) != data.size() - kHeader) return corrupt(path_, "its size does not match its header");
  if (fingerprint64(data.data() + kHeader, data.size() - kHeader) != get64(data.data() + 32)) {
    return corrupt(path_, "its contents are damaged (checksum mismatch)");
  }
  // Read into a fresh object; this one takes its state only when all of it is good.
  CatalogChanges loaded(model_);
  Reader r{data.data() + kHeader, data.size() - kHeader};
  const uint32_t unavailable = r.u32();
  if (unavailable > model_.catalog().count) return corrupt(path_, "more unavailable items than the catalog has");
  for (uint32_t i = 0; i < unavailable && !r.bad; ++i) {
    const uint32_t item = r.u32();
    if (item >= model_.catalog().count || (!loaded.unavailable_.empty() && item <= loaded.unavailable_.back())) {
      return corrupt(path_, "an unavailable item is out of range or out of order");
    }
    loaded.unavailable_.push_back(item);
  }
  const uint32_t added = r.u32();
  if (added > kMaxAddedItems) return corrupt(path_, "more added items than the limit");
  const Span<InputInfo> inputs = model_.inputs();
  FeatureBag bag(model_, BagRole::Item);
  for (uint32_t a = 0; a < added && !r.bad; ++a) {
    const std::string id(r.bytes(r.u32()));
    bag.clear();
    for (uint32_t i = 0; i < inputs.size() && !r.bad; ++i) {
      if (!inputs[i].is_item_side() || i == model_.item_id_input()) continue;
      if (inputs[i].kind == fb::ValueKind::Numeric) {
        const uint8_t set = r.u8();
        const float v = r.f32();
        if (set > 1 || (set == 1 && !bag.set_number(i, static_cast<double>(v)).ok())) {
          return corrupt(path_, "an added item's number is not valid");
        }
        continue;
      }
      const uint32_t count = r.u32();
      if (count > inputs[i].max_values) return corrupt(path_, "an added item has too many values");
      for (uint32_t v = 0; v < count; ++v) {
        if (!bag.add_fingerprint(i, r.u64()).ok()) return corrupt(path_, "an added item's values are not valid");
      }
    }
    if (r.bad) break;
    if (!loaded.add(id, bag).ok()) return corrupt(path_, "an added item is not valid for this model");
  }
  if (r.bad || r.left != 0) return corrupt(path_, "its contents do not match their counts");
  unavailable_ = std::move(loaded.unavailable_);
  added_ = std::move(loaded.added_);
  refresh_prepared();
  return Status();
}

Status CatalogChanges::save() {
  if (path_.empty()) return Status();
  Vec<uint8_t> data;
  encode(&data);
  return replace_file_durably(path_, data.data(), data.size());
}

}  // namespace barista::internal
