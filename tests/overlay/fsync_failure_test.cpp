// fsync failing under the overlay ("fsyncgate": since Linux 4.13 the pages
// whose fsync failed may be dropped, and the next fsync succeeds). This
// binary defines fsync and fdatasync itself, so the library's calls come here; the test
// makes some of them fail and drops the pages as the kernel may.
#include <doctest/doctest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <vector>

#include "barista.h"
#include "samples/coffee_model.h"
#include "support/temp_dir.h"
#include "writer/model_writer.h"

using namespace barista::internal;

namespace {

std::atomic<int> failing_fsyncs{0};

}  // namespace

namespace {

bool fail_this_one() {
  if (failing_fsyncs.load() <= 0) return false;
  failing_fsyncs.fetch_sub(1);
  errno = EIO;
  return true;
}

}  // namespace

// The journal syncs with fdatasync, snapshots and directories with fsync.
extern "C" int fsync(int fd) { return fail_this_one() ? -1 : static_cast<int>(syscall(SYS_fsync, fd)); }
extern "C" int fdatasync(int fd) { return fail_this_one() ? -1 : static_cast<int>(syscall(SYS_fdatasync, fd)); }

namespace {

float score_of(barista_model* model, barista_overlay* overlay, const char* user, uint32_t item) {
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  REQUIRE(barista_session_create(model, &session) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  REQUIRE(barista_session_set_overlay(session, overlay) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(request, user, BARISTA_STRLEN) == BARISTA_STATUS_OK);
  float score = 0;
  REQUIRE(barista_session_score(session, request, &item, 1, &score, 1) == BARISTA_STATUS_OK);
  barista_request_free(request);
  barista_session_free(session);
  return score;
}

barista_overlay_stats stats_of(barista_overlay* overlay) {
  barista_overlay_stats stats;
  REQUIRE(barista_overlay_get_stats(overlay, &stats) == BARISTA_STATUS_OK);
  return stats;
}

}  // namespace

TEST_CASE("after a failed fsync the overlay acknowledges nothing until what it wrote is rewritten") {
  std::vector<uint8_t> bytes;
  REQUIRE(write_model(barista::cli::make_coffee_model(), WriteOptions(), &bytes).ok());
  barista_model* model = nullptr;
  REQUIRE(barista_model_open_buffer(bytes.data(), bytes.size(), nullptr, &model, nullptr) == BARISTA_STATUS_OK);
  uint32_t mocha = 0;
  REQUIRE(barista_model_find_item(model, "white mocha", BARISTA_STRLEN, &mocha) == BARISTA_STATUS_OK);
  barista_test::TempDir dir;
  const std::string path = dir.file("learned");

  barista_overlay* overlay = nullptr;
  REQUIRE(barista_overlay_open(model, path.c_str(), nullptr, &overlay, nullptr) == BARISTA_STATUS_OK);
  barista_request* dave = nullptr;
  REQUIRE(barista_request_create(model, &dave) == BARISTA_STATUS_OK);
  REQUIRE(barista_request_set_user(dave, "dave", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  const uint64_t journal_before = stats_of(overlay).journal_bytes;
  for (int i = 0; i < 5; ++i) REQUIRE(barista_overlay_observe(overlay, dave, mocha, 1.0f, 1.0f) == BARISTA_STATUS_OK);
  const float learned = score_of(model, overlay, "dave", mocha);

  failing_fsyncs = 1;
  CHECK(barista_overlay_sync(overlay) == BARISTA_STATUS_IO_ERROR);
  CHECK(stats_of(overlay).unsynced_bytes > 0);  // written, not durable
  // The kernel dropped the pages whose fsync failed.
  REQUIRE(::truncate((path + ".journal").c_str(), static_cast<off_t>(journal_before)) == 0);

  // A second failure keeps it owed; then the rewrite from memory.
  failing_fsyncs = 1;
  CHECK(barista_overlay_sync(overlay) == BARISTA_STATUS_IO_ERROR);
  CHECK(stats_of(overlay).unsynced_bytes > 0);
  CHECK(barista_overlay_sync(overlay) == BARISTA_STATUS_OK);
  CHECK(stats_of(overlay).unsynced_bytes == 0);
  barista_overlay_free(overlay);

  // What the last sync acknowledged is in the files.
  REQUIRE(barista_overlay_open(model, path.c_str(), nullptr, &overlay, nullptr) == BARISTA_STATUS_OK);
  CHECK(score_of(model, overlay, "dave", mocha) == learned);
  barista_overlay_free(overlay);
  barista_request_free(dave);
  barista_model_free(model);
}
