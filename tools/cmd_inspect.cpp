// barista inspect MODEL: what is in a model file — inputs, columns, the wide
// and deep parts, the catalog, metadata, lineage and the bytes each section
// takes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include "cli.h"
#include "commands.h"
#include "common/parse_number.h"
#include "kernels/kernel_list.h"
#include "model/model.h"

namespace barista::cli {

using namespace barista::internal;

namespace {

const char* source_name(fb::Source s) { return fb::EnumNameSource(s); }
const char* dtype_name(fb::DType d) { return fb::EnumNameDType(d); }

std::string column_detail(const Model& model, const ColumnInfo& c) {
  switch (c.kind) {
    case fb::ColumnKind::Hashed:
      return "hash(" + std::string(model.inputs()[c.input].name) + ") % " + std::to_string(c.buckets);
    case fb::ColumnKind::Vocabulary:
      return "vocabulary(" + std::string(model.inputs()[c.input].name) + "): " + std::to_string(c.vocabulary.count) +
             " values + " + std::to_string(c.buckets) + " OOV";
    case fb::ColumnKind::Bucketized:
      return "bucketize(" + std::string(model.inputs()[c.input].name) + "): " + std::to_string(c.boundaries.size()) +
             " boundaries";
    case fb::ColumnKind::Numeric: {
      char buffer[128];
      std::snprintf(buffer, sizeof buffer, "(%s - %g) / %g", model.inputs()[c.input].name, static_cast<double>(c.mean),
                    1.0 / static_cast<double>(c.inv_stddev));
      return buffer;
    }
    case fb::ColumnKind::Crossed: {
      std::string parts;
      for (uint32_t component : c.crossed)
        parts += (parts.empty() ? "" : " x ") + std::string(model.columns()[component].name);
      return "cross(" + parts + ") % " + std::to_string(c.buckets);
    }
  }
  return "?";
}

const char* side_name(Side s) { return s == Side::Request ? "request" : s == Side::Item ? "item" : "mixed"; }

// Bytes per section, from the payload visitor's array names.
std::map<std::string, uint64_t> section_sizes(const Model& model) {
  std::map<std::string, uint64_t> sizes;
  uint64_t payload = 0;
  for_each_payload_slice(model.root(), [&](const std::string& name, const fb::Slice& slice, size_t element_size) {
    const uint64_t bytes = slice.count() * element_size;
    std::string section;
    if (name.rfind("wide.", 0) == 0)
      section = "wide weights";
    else if (name.rfind("deep.input", 0) == 0 && name.find(".sequence") != std::string::npos)
      section = "sequence encoders";
    else if (name.rfind("deep.input", 0) == 0)
      section = "deep embeddings";
    else if (name.rfind("deep.layer", 0) == 0)
      section = "deep layers";
    else if (name.rfind("catalog.item_first_layer", 0) == 0)
      section = "catalog precomputed first layer";
    else if (name.rfind("catalog.item_wide", 0) == 0)
      section = "catalog precomputed wide sums";
    else if (name.rfind("catalog.keys", 0) == 0)
      section = "catalog ids and index";
    else if (name.rfind("catalog.", 0) == 0)
      section = "catalog item features";
    else
      section = "column vocabularies";
    sizes[section] += bytes;
    payload += bytes;
  });
  // Tables, metadata, alignment padding.
  sizes["structure and metadata"] = model.size() - payload;
  return sizes;
}

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds == 0) return "unknown";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm_utc{};
  gmtime_r(&t, &tm_utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm_utc);
  return buffer;
}

std::string str(const flatbuffers::String* s) { return s ? s->str() : ""; }

// The metadata property `key` (train/lineage.h records them), or "".
std::string property(const fb::Metadata& meta, const char* key) {
  if (meta.properties() == nullptr) return "";
  for (const fb::Property* p : *meta.properties()) {
    if (p->key()->str() == key) return str(p->value());
  }
  return "";
}

bool is_lineage_property(const std::string& key) {
  return key == "seed" || key == "config_file" || key == "tune_run" || key == "tune_trial" || key == "tune_role";
}

// What the model came from: who wrote it, from which data, config and
// seed, in which tuning run, and how its training went.
void json_lineage(const fb::Metadata& meta, JsonWriter* j) {
  j->key("lineage").begin_object();
  j->key("producer").value(str(meta.producer())).key("data_fingerprint").value(str(meta.data_fingerprint()));
  int64_t number = 0;
  const std::string seed = property(meta, "seed");
  if (parse_int64(seed, &number)) j->key("seed").value(number);
  const std::string config_file = property(meta, "config_file");
  if (!config_file.empty()) j->key("config_file").value(config_file);
  const std::string tune_run = property(meta, "tune_run");
  if (!tune_run.empty()) j->key("tune_run").value(tune_run);
  if (parse_int64(property(meta, "tune_trial"), &number)) j->key("tune_trial").value(number);
  const std::string tune_role = property(meta, "tune_role");
  if (!tune_role.empty()) j->key("tune_role").value(tune_role);
  j->key("metrics").begin_object();
  if (meta.metrics()) {
    for (const fb::Metric* m : *meta.metrics()) j->key(m->name()->str()).value(m->value());
  }
  j->end_object().end_object();
}

void print_lineage(const fb::Metadata& meta) {
  std::printf("\nlineage\n  producer: %s\n", str(meta.producer()).c_str());
  if (meta.data_fingerprint() && meta.data_fingerprint()->size()) {
    std::printf("  data fingerprint: %s\n", meta.data_fingerprint()->c_str());
  }
  const std::string seed = property(meta, "seed");
  if (!seed.empty()) std::printf("  seed: %s\n", seed.c_str());
  const std::string config_file = property(meta, "config_file");
  if (!config_file.empty()) std::printf("  config file: %s\n", config_file.c_str());
  const std::string tune_run = property(meta, "tune_run");
  if (!tune_run.empty()) {
    const std::string trial = property(meta, "tune_trial");
    const std::string role = property(meta, "tune_role");
    std::printf("  tune run: %s%s%s%s%s\n", tune_run.c_str(), trial.empty() ? "" : ", trial ", trial.c_str(),
                role.empty() ? "" : ", ", role.c_str());
  }
  if (meta.metrics()) {
    for (const fb::Metric* m : *meta.metrics()) std::printf("  metric %s = %g\n", m->name()->c_str(), m->value());
  }
}

}  // namespace

Exit run_inspect(const Command& command, int argc, char** argv) {
  Args args(command,
            "Describes a model file: inputs, columns, wide and deep parts, catalog, metadata and\n"
            "the size of each section. --verify also checks the payload checksum and that every\n"
            "stored number is finite (exit code 1 when it fails).",
            {{"json", "", "machine-readable output"},
             {"verify", "", "full verification (checksum, finiteness)"},
             {"kernels", "NAME", "kernel variant: " BARISTA_KERNEL_CHOICES},
             {"repeat", "N", "also reopen the model N times and report the median open time"}});
  Exit exit = Exit::Ok;
  if (!args.parse(argc, argv, &exit)) return exit;
  uint64_t repeat = 0;
  if (!args.get_uint("repeat", 0, &repeat)) return Exit::Usage;
  const std::string path = args.positional()[0];
  const std::string kernels = args.get("kernels", "auto");
  OpenOptions options;
  options.kernels = kernels.c_str();
  std::unique_ptr<Model> model;
  const auto t0 = std::chrono::steady_clock::now();
  Status status = Model::open_file(path.c_str(), options, &model);
  const auto t1 = std::chrono::steady_clock::now();
  if (!status.ok()) return fail(path + ": " + status.message());
  const double open_us = std::chrono::duration<double, std::micro>(t1 - t0).count();
  // The first open in a process also pays for faulting in the library's own
  // code; reopening shows the cost that depends on the model.
  double reopen_median_us = 0.0, reopen_min_us = 0.0;
  if (repeat > 0) {
    std::vector<double> times;
    for (uint64_t i = 0; i < repeat; ++i) {
      std::unique_ptr<Model> again;
      const auto r0 = std::chrono::steady_clock::now();
      status = Model::open_file(path.c_str(), options, &again);
      times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - r0).count());
      if (!status.ok()) return fail(path + ": " + status.message());
    }
    std::sort(times.begin(), times.end());
    reopen_median_us = times[times.size() / 2];
    reopen_min_us = times[0];
  }

  bool verified = false;
  double verify_ms = 0.0;
  Status verify_status;
  if (args.has("verify")) {
    const auto v0 = std::chrono::steady_clock::now();
    verify_status = model->verify_full();
    verify_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - v0).count();
    verified = true;
  }

  const fb::Model& root = model->root();
  const fb::Metadata* meta = root.metadata();
  const auto sizes = section_sizes(*model);
  const CatalogView& catalog = model->catalog();

  if (args.has("json")) {
    JsonWriter j;
    j.begin_object();
    j.key("path").value(path).key("file_bytes").value(static_cast<uint64_t>(model->size()));
    j.key("open_us").value(open_us).key("kernels").value(model->kernels().isa);
    if (repeat > 0) j.key("reopen_median_us").value(reopen_median_us).key("reopen_min_us").value(reopen_min_us);
    j.key("format").begin_object().key("major").value(unsigned{root.format_major()});
    j.key("minor").value(unsigned{root.format_minor()});
    j.key("quantization").value(unsigned{root.quantization_version()}).end_object();
    j.key("metadata").begin_object();
    if (meta != nullptr) {
      j.key("name").value(str(meta->name())).key("version").value(str(meta->version()));
      j.key("description").value(str(meta->description())).key("created_unix").value(meta->created_unix());
      j.key("producer").value(str(meta->producer())).key("training_config").value(str(meta->training_config()));
      j.key("data_fingerprint").value(str(meta->data_fingerprint()));
      j.key("metrics").begin_object();
      if (meta->metrics()) {
        for (const fb::Metric* m : *meta->metrics()) j.key(m->name()->str()).value(m->value());
      }
      j.end_object().key("properties").begin_object();
      if (meta->properties()) {
        for (const fb::Property* p : *meta->properties()) j.key(p->key()->str()).value(str(p->value()));
      }
      j.end_object();
    }
    j.end_object();
    if (meta != nullptr) json_lineage(*meta, &j);
    j.key("inputs").begin_array();
    for (size_t i = 0; i < model->inputs().size(); ++i) {
      const InputInfo& in = model->inputs()[i];
      j.begin_object().key("name").value(in.name).key("source").value(source_name(in.source));
      j.key("kind").value(fb::EnumNameValueKind(in.kind)).key("multivalent").value(in.multivalent);
      j.key("max_values").value(in.max_values);
      j.key("role").value(static_cast<int32_t>(i) == model->user_id_input() ? "user id"
                          : i == model->item_id_input()                     ? "item id"
                                                                            : "");
      j.end_object();
    }
    j.end_array().key("columns").begin_array();
    for (const ColumnInfo& c : model->columns()) {
      j.begin_object().key("name").value(c.name).key("kind").value(fb::EnumNameColumnKind(c.kind));
      j.key("side").value(side_name(c.side)).key("ids").value(c.cardinality);
      j.key("detail").value(column_detail(*model, c)).end_object();
    }
    j.end_array();
    j.key("wide").begin_object().key("bias").value(model->wide_bias());
    j.key("weights").value(model->wide_weights().rows).key("dtype").value(dtype_name(model->wide_weights().dtype));
    j.key("terms").begin_array();
    for (Span<WideTermInfo> terms :
         {model->wide_request_terms(), model->wide_item_terms(), model->wide_mixed_terms()}) {
      for (const WideTermInfo& t : terms) {
        j.begin_object().key("column").value(model->columns()[t.column].name);
        j.key("combiner").value(fb::EnumNameCombiner(t.combiner)).end_object();
      }
    }
    j.end_array().end_object();
    j.key("deep").begin_object().key("width").value(model->deep_width());
    j.key("request_width").value(model->deep_request_width()).key("inputs").begin_array();
    for (const DeepInputInfo& d : model->deep_inputs()) {
      j.begin_object().key("column").value(model->columns()[d.column].name).key("width").value(d.width);
      j.key("dtype").value(d.has_embedding ? dtype_name(d.embedding.dtype) : "numeric");
      j.key("rows").value(d.has_embedding ? d.embedding.rows : uint64_t{0});
      if (d.sequence >= 0) {
        const SequenceEncoderInfo& e = model->sequence_encoders()[static_cast<size_t>(d.sequence)];
        j.key("sequence_encoder").begin_object().key("length").value(e.length);
        j.key("blocks").value(static_cast<uint64_t>(e.blocks.size())).end_object();
      }
      j.end_object();
    }
    j.end_array().key("layers").begin_array();
    for (const LayerInfo& l : model->layers()) {
      j.begin_object().key("in").value(l.in).key("out").value(l.out).key("relu").value(l.relu).end_object();
    }
    j.end_array().end_object();
    j.key("catalog").begin_object().key("items").value(catalog.count);
    j.key("id_type").value(fb::EnumNameKeyType(catalog.key_type));
    j.key("categorical_inputs").value(catalog.categorical_slots).key("numeric_inputs").value(catalog.numeric_slots);
    j.end_object();
    j.key("sizes").begin_object();
    for (const auto& [section, bytes] : sizes) j.key(section).value(bytes);
    j.end_object();
    if (verified) {
      j.key("verify").begin_object().key("ok").value(verify_status.ok()).key("ms").value(verify_ms);
      j.key("message").value(verify_status.message()).end_object();
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return verified && !verify_status.ok() ? Exit::Failure : Exit::Ok;
  }

  std::printf("%s: %zu bytes, format %u.%u, quantization layout %u\n", path.c_str(), model->size(), root.format_major(),
              root.format_minor(), root.quantization_version());
  std::printf("opened in %.0f us (kernels: %s)\n", open_us, model->kernels().isa);
  if (repeat > 0) {
    std::printf("reopened %llu times: median %.0f us, fastest %.0f us\n", static_cast<unsigned long long>(repeat),
                reopen_median_us, reopen_min_us);
  }
  if (meta != nullptr) {
    std::printf("\nmetadata\n  name: %s   version: %s\n  created: %s   producer: %s\n", str(meta->name()).c_str(),
                str(meta->version()).c_str(), format_time(meta->created_unix()).c_str(), str(meta->producer()).c_str());
    if (meta->description() && meta->description()->size()) {
      std::printf("  description: %s\n", meta->description()->c_str());
    }
    if (meta->training_config() && meta->training_config()->size()) {
      std::printf("  training config: %s\n", meta->training_config()->c_str());
    }
    if (meta->properties()) {
      for (const fb::Property* p : *meta->properties()) {
        if (is_lineage_property(p->key()->str())) continue;  // in the lineage block
        std::printf("  %s: %s\n", p->key()->c_str(), str(p->value()).c_str());
      }
    }
    print_lineage(*meta);
  }

  std::printf("\ninputs (%zu)\n", model->inputs().size());
  for (size_t i = 0; i < model->inputs().size(); ++i) {
    const InputInfo& in = model->inputs()[i];
    std::string values = in.multivalent ? "up to " + std::to_string(in.max_values) + " values" : "one value";
    const char* role = static_cast<int32_t>(i) == model->user_id_input() ? "  [user id]"
                       : i == model->item_id_input()                     ? "  [item id]"
                                                                         : "";
    std::printf("  %-16s %-8s %-12s %s%s\n", in.name, source_name(in.source), fb::EnumNameValueKind(in.kind),
                values.c_str(), role);
  }
  std::printf("\ncolumns (%zu)\n", model->columns().size());
  for (const ColumnInfo& c : model->columns()) {
    std::printf("  %-20s %-10s %-8s %s\n", c.name, fb::EnumNameColumnKind(c.kind), side_name(c.side),
                column_detail(*model, c).c_str());
  }
  std::printf("\nwide: bias %g, %llu weights (%s)\n", static_cast<double>(model->wide_bias()),
              static_cast<unsigned long long>(model->wide_weights().rows), dtype_name(model->wide_weights().dtype));
  const char* groups[] = {"request (once per request)", "item (precomputed per item)", "mixed (per request x item)"};
  int g = 0;
  for (Span<WideTermInfo> terms : {model->wide_request_terms(), model->wide_item_terms(), model->wide_mixed_terms()}) {
    std::string names;
    for (const WideTermInfo& t : terms)
      names += (names.empty() ? "" : ", ") + std::string(model->columns()[t.column].name);
    std::printf("  %-28s %s\n", groups[g++], names.empty() ? "-" : names.c_str());
  }
  std::printf("\ndeep: input width %u (request %u + item %u)\n", model->deep_width(), model->deep_request_width(),
              model->deep_width() - model->deep_request_width());
  for (const DeepInputInfo& d : model->deep_inputs()) {
    if (d.has_embedding) {
      if (d.sequence >= 0) {
        const SequenceEncoderInfo& e = model->sequence_encoders()[static_cast<size_t>(d.sequence)];
        std::printf("  %-20s %-7s embedding %llu x %u %s, the last %u in order through %zu attention block%s\n",
                    model->columns()[d.column].name, "request", static_cast<unsigned long long>(d.embedding.rows),
                    d.width, dtype_name(d.embedding.dtype), e.length, e.blocks.size(), e.blocks.size() == 1 ? "" : "s");
        continue;
      }
      std::printf("  %-20s %-7s embedding %llu x %u %s, %s\n", model->columns()[d.column].name,
                  d.item_side ? "item" : "request", static_cast<unsigned long long>(d.embedding.rows), d.width,
                  dtype_name(d.embedding.dtype), fb::EnumNameCombiner(d.combiner));
    } else {
      std::printf("  %-20s %-7s numeric\n", model->columns()[d.column].name, d.item_side ? "item" : "request");
    }
  }
  std::string shape = std::to_string(model->deep_width());
  for (const LayerInfo& l : model->layers()) shape += " -> " + std::to_string(l.out) + (l.relu ? " relu" : "");
  std::printf("  layers: %s\n", shape.c_str());
  std::printf("\ncatalog: %u items (%s ids), %u categorical + %u numeric item features per item\n", catalog.count,
              fb::EnumNameKeyType(catalog.key_type), catalog.categorical_slots, catalog.numeric_slots);
  std::printf("  precomputed: wide sums of item-only terms; first-layer item halves %u x %u\n", catalog.count,
              model->first_layer_width());
  std::printf("\nsizes\n");
  for (const auto& [section, bytes] : sizes) {
    std::printf("  %-36s %12llu bytes  %5.1f%%\n", section.c_str(), static_cast<unsigned long long>(bytes),
                100.0 * static_cast<double>(bytes) / static_cast<double>(model->size()));
  }
  if (verified) {
    if (verify_status.ok()) {
      std::printf("\nverify: checksum matches, every number finite (%.1f ms)\n", verify_ms);
    } else {
      std::printf("\nverify: FAILED: %s\n", verify_status.message().c_str());
      return Exit::Failure;
    }
  }
  return Exit::Ok;
}

}  // namespace barista::cli
