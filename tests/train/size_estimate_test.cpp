#include <doctest/doctest.h>

#include <string>

#include "config/train_config.h"
#include "train/size_estimate.h"

using namespace barista::internal;

namespace {

TrainConfig config_of(const std::string& extra) {
  TrainConfig c;
  const Status s = parse_train_config(R"({"data": {"interactions": {"path": "log.csv"}})" + extra + "}", "/data", &c);
  REQUIRE_MESSAGE(s.ok(), s.message());
  return c;
}

}  // namespace

TEST_CASE("what a config can never write or train is refused before any data, naming the key") {
  // Without this check such configs abort after minutes with no message.
  Status s = check_trainable(config_of(R"(, "crosses": [{"columns": ["user_id", "item_id"], "buckets": 2147483648}])"));
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("more than a model file can hold") != std::string::npos);
  CHECK(s.message().find("crosses[0].buckets (8.0 GiB)") != std::string::npos);

  s = check_trainable(config_of(R"(, "deep": {"hidden": [16384, 16384, 16384, 16384]})"));
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("deep.hidden") != std::string::npos);

  s = check_trainable(config_of(R"(, "features": [{"name": "shop", "source": "context", "column": "shop",
                                   "type": "hashed", "buckets": 5000000, "embedding": 128}])"));
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK(s.message().find("features[0].buckets") != std::string::npos);

  // Within the format, but not within this memory: a 100-million-bucket
  // cross is 0.4 GB in the file and at least 3.1 GiB to train (4.2 GiB
  // measured, size_estimate.h).
  const TrainConfig big = config_of(R"(, "crosses": [{"columns": ["user_id", "item_id"], "buckets": 100000000}])");
  CHECK(check_trainable(big, uint64_t{24} << 30).ok());
  s = check_trainable(big, uint64_t{1} << 30);
  CHECK(s.code() == BARISTA_STATUS_LIMIT_EXCEEDED);
  CHECK_MESSAGE(s.message().find("training would need at least 3.1 GiB") != std::string::npos, s.message());
  CHECK(s.message().find("crosses[0].buckets") != std::string::npos);

  // The defaults, and the shared data sets' configs' shapes, fit anywhere.
  const SizeEstimate e = estimate_size(config_of(""));
  CHECK(e.model_bytes < (1u << 20));
  CHECK(check_trainable(config_of(""), uint64_t{256} << 20).ok());
}
