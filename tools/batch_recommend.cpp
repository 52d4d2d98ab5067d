#include "batch_recommend.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/train_config.h"
#include "data/dataset.h"
#include "data/requests.h"
#include "features/input_names.h"
#include "hash/fingerprint.h"
#include "score/scorer.h"
#include "score/serving_index.h"

namespace barista::cli {

namespace {

using internal::Dataset;
using internal::FeatureBag;
using internal::RequestBuilder;
using internal::Scored;
using internal::Status;

// One customer to recommend for: a user of the log, or an id the log does
// not hold (asked with the id alone).
struct Customer {
  std::string id;
  int64_t user = -1;  // in the dataset
};

bool read_customers(const std::string& path, const Dataset& data, std::vector<Customer>* out) {
  std::ifstream in(path);
  if (!in) {
    fail("cannot read '" + path + "'");
    return false;
  }
  std::unordered_map<std::string, uint32_t> known;
  for (size_t u = 0; u < data.user_count(); ++u) known.emplace(data.user_ids[u], static_cast<uint32_t>(u));
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    const auto it = known.find(line);
    out->push_back({line, it == known.end() ? -1 : static_cast<int64_t>(it->second)});
  }
  return true;
}

std::string csv_quoted(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

Exit run_batch_recommend(const Args& args, uint64_t k) {
  const std::string out_path = args.get("out");
  const bool jsonl = out_path.size() > 6 && out_path.compare(out_path.size() - 6, 6, ".jsonl") == 0;
  const bool csv = out_path.size() > 4 && out_path.compare(out_path.size() - 4, 4, ".csv") == 0;
  if (!jsonl && !csv) return args.usage_error("--all-users writes --out FILE.csv or FILE.jsonl");
  uint64_t threads = 1;
  if (!args.get_uint("threads", 1, &threads)) return Exit::Usage;
  if (threads < 1 || threads > 256) return args.usage_error("--threads wants 1 to 256");
  if (k < 1) return args.usage_error("--k wants at least 1");

  internal::TrainConfig config;
  Status status = internal::load_train_config(args.get("all-users"), &config);
  if (!status.ok()) return fail(status.message());
  Dataset data;
  if (!(status = internal::load_dataset(config, &data)).ok()) return fail(status.message());
  std::unique_ptr<internal::Model> model;
  if (!(status = internal::Model::open_file(args.positional()[0].c_str(), internal::OpenOptions(), &model)).ok()) {
    return fail(args.positional()[0] + ": " + status.message());
  }
  std::unique_ptr<internal::ServingIndex> index;
  if (!(status = internal::ServingIndex::build(*model, &index)).ok()) return fail(status.message());
  RequestBuilder requests;
  if (!(status = RequestBuilder::create(config, data, *model, &requests)).ok()) return fail(status.message());

  std::vector<Customer> customers;
  if (args.has("users")) {
    if (!read_customers(args.get("users"), data, &customers)) return Exit::Failure;
  } else {
    for (size_t u = 0; u < data.user_count(); ++u) customers.push_back({data.user_ids[u], static_cast<int64_t>(u)});
  }
  // The log's items as catalog indices (-1: not in the model's catalog).
  std::vector<int64_t> catalog_of(data.item_count());
  for (size_t i = 0; i < data.item_count(); ++i) catalog_of[i] = model->find_item(internal::fingerprint64(data.item_ids[i]));

  // Customers in chunks, taken by whichever thread is free; results land
  // in the customer's own slots, so the output's order is the input's.
  const size_t n = customers.size();
  std::vector<Scored> results(n * k);
  std::vector<uint32_t> counts(n, 0);
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::string failure;
  constexpr size_t kChunk = 32;
  const auto work = [&] {
    internal::Scorer scorer(*index);
    FeatureBag bag(*model, internal::BagRole::Request);
    std::vector<uint32_t> exclude;
    internal::Vec<Scored> top;
    for (size_t begin; !failed && (begin = next.fetch_add(kChunk)) < n;) {
      for (size_t c = begin; c < std::min(n, begin + kChunk); ++c) {
        const Customer& customer = customers[c];
        Status s;
        exclude.clear();
        if (customer.user >= 0) {
          const uint32_t user = static_cast<uint32_t>(customer.user);
          s = requests.fill_next(user, &bag);
          for (size_t j = data.user_begin[user]; j < data.user_begin[user + 1]; ++j) {
            const int64_t item = catalog_of[data.interactions[j].item];
            if (item >= 0) exclude.push_back(static_cast<uint32_t>(item));
          }
          std::sort(exclude.begin(), exclude.end());
          exclude.erase(std::unique(exclude.begin(), exclude.end()), exclude.end());
        } else {
          bag.clear();
          s = bag.set_user(customer.id);
        }
        internal::RecommendQuery query;
        query.k = k;
        query.exclude = exclude;
        if (s.ok()) s = scorer.recommend(bag, query, &top);
        if (!s.ok()) {
          if (!failed.exchange(true)) failure = "customer '" + customer.id + "': " + s.message();
          return;
        }
        std::copy(top.begin(), top.end(), results.begin() + static_cast<ptrdiff_t>(c * k));
        counts[c] = static_cast<uint32_t>(top.size());
      }
      done.fetch_add(std::min(n, begin + kChunk) - begin);
    }
  };
  const auto start = std::chrono::steady_clock::now();
  const auto seconds_since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<std::thread> pool;
  for (uint64_t t = 1; t < threads; ++t) pool.emplace_back(work);
  std::thread progress([&] {
    double last = 0;
    while (done < n && !failed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const double now = seconds_since();
      if (now - last >= 2.0) {
        last = now;
        std::fprintf(stderr, "recommended for %zu of %zu customers (%.0f/s)\n", done.load(), n,
                     static_cast<double>(done.load()) / now);
      }
    }
  });
  work();
  for (std::thread& t : pool) t.join();
  progress.join();
  const double seconds = seconds_since();
  if (failed) return fail(failure);

  std::FILE* out = std::fopen(out_path.c_str(), "w");
  if (out == nullptr) return fail("cannot write '" + out_path + "'");
  if (csv) std::fputs("user,rank,item,score\n", out);
  std::string item;
  for (size_t c = 0; c < n; ++c) {
    const std::string user = csv ? csv_quoted(customers[c].id) : customers[c].id;
    if (jsonl) {
      JsonWriter j;
      j.begin_object().key("user").value(user).key("recommendations").begin_array();
      for (uint32_t r = 0; r < counts[c]; ++r) {
        const Scored& s = results[c * k + r];
        model->item_id(s.item, &item);
        j.begin_object().key("item").value(item).key("score").value(internal::sigmoid(s.logit)).end_object();
      }
      j.end_array().end_object();
      std::fprintf(out, "%s\n", j.str().c_str());
      continue;
    }
    for (uint32_t r = 0; r < counts[c]; ++r) {
      const Scored& s = results[c * k + r];
      model->item_id(s.item, &item);
      std::fprintf(out, "%s,%u,%s,%.6f\n", user.c_str(), r + 1, csv_quoted(item).c_str(),
                   static_cast<double>(internal::sigmoid(s.logit)));
    }
  }
  const bool written = std::ferror(out) == 0;
  if (std::fclose(out) != 0 || !written) return fail("writing '" + out_path + "' failed");
  std::fprintf(stderr,
               "top-%llu for %zu customers (%zu items each) in %.2f s on %llu thread%s: %.0f customers/s, "
               "%.2f M items scored/s; %s\n",
               static_cast<unsigned long long>(k), n, static_cast<size_t>(model->catalog().count), seconds,
               static_cast<unsigned long long>(threads), threads == 1 ? "" : "s",
               static_cast<double>(n) / seconds,
               static_cast<double>(n) * model->catalog().count / seconds / 1e6, out_path.c_str());
  return Exit::Ok;
}

}  // namespace barista::cli
