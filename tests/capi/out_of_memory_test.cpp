// An exhausted heap under every call a host makes: each call must return
// BARISTA_STATUS_OUT_OF_MEMORY (or succeed), never end the process. A child
// process (this binary, run again with --child) opens a model, scores and
// learns; just before one of its calls, memory runs out but for 0, 64 KiB,
// 128 KiB, ... (leave_headroom), and the child reports by its exit code.
// A new process, not a bare fork, so that no free memory is inherited from
// the test's own heap. This runs the Release build's real allocator
// (mimalloc), where a failure once reached abort() inside mi_new_n;
// sanitizer builds, which reserve terabytes of shadow memory, and builds
// without exceptions (whose containers end the process on exhaustion by
// design, common/exceptions.h) leave it out.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <mimalloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "barista.h"
#include "samples/random_model.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "writer/model_writer.h"

using namespace barista::internal;

namespace {

// The child's exit code: every call succeeded at once, a call failed
// otherwise than with OUT_OF_MEMORY or failed again with memory back, or
// kFirstCall + the index of the call that ran out of memory, then succeeded.
enum Outcome { kAllOk = 0, kOtherStatus = 2, kFirstCall = 10 };


// Leaves the process about `headroom` bytes of memory: caps the address
// space at what is reserved now (RLIMIT_AS), takes every free block of both
// heaps (the library's mimalloc and the C++ runtime's malloc) in 64 KiB
// pieces, then gives `headroom` bytes back to each. Capping alone is too
// coarse: mimalloc reserves 32 MiB at a time, and most calls would find
// room in what is already reserved. give_back() returns everything.
class Starvation {
 public:
  void leave_headroom(size_t headroom) {
    const rlimit cap{barista_test::address_space_in_use(), RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &cap) != 0) _exit(3);
    while (mimalloc_ < kMaxPieces && (mimalloc_pieces_[mimalloc_] = mi_malloc(kPiece)) != nullptr) ++mimalloc_;
    while (malloc_ < kMaxPieces && (malloc_pieces_[malloc_] = std::malloc(kPiece)) != nullptr) ++malloc_;
    for (size_t given = 0; given < headroom && mimalloc_ > 0; given += kPiece) mi_free(mimalloc_pieces_[--mimalloc_]);
    for (size_t given = 0; given < headroom && malloc_ > 0; given += kPiece) std::free(malloc_pieces_[--malloc_]);
  }
  void give_back() {
    while (mimalloc_ > 0) mi_free(mimalloc_pieces_[--mimalloc_]);
    while (malloc_ > 0) std::free(malloc_pieces_[--malloc_]);
    const rlimit none{RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &none) != 0) _exit(3);
  }

 private:
  static constexpr size_t kPiece = 65536, kMaxPieces = size_t{1} << 16;  // up to 4 GiB per heap
  void* mimalloc_pieces_[kMaxPieces];
  void* malloc_pieces_[kMaxPieces];
  size_t mimalloc_ = 0, malloc_ = 0;
};
Starvation starvation;  // 1 MiB of pointers, reserved before any cap

// Everything a host does. Memory runs out just before call number
// `capped_call`; when that call returns OUT_OF_MEMORY, the memory comes back
// and the same call is made again, and it and every later call must succeed
// (the objects stay usable after an allocation failure).
int host_calls(const std::string& model_path, int capped_call, size_t headroom) {
  barista_status status = BARISTA_STATUS_OK;
  int calls = 0, out_of_memory_at = -1;
  auto call = [&](auto&& body) {
    if (status != BARISTA_STATUS_OK) return;
    if (calls == capped_call) starvation.leave_headroom(headroom);
    status = body();
    if (calls == capped_call) {
      starvation.give_back();
      if (status == BARISTA_STATUS_OUT_OF_MEMORY) {
        out_of_memory_at = calls;
        status = body();
      }
    }
    ++calls;
  };
  barista_model* model = nullptr;
  barista_session* session = nullptr;
  barista_request* request = nullptr;
  barista_overlay* overlay = nullptr;
  barista_open_params open = barista_open_default_params();
  open.flags = BARISTA_OPEN_COPY;
  barista_recommendation top[10];
  size_t count = 0;
  barista_recommend_params exact = barista_recommend_default_params();
  barista_recommend_params shortlist = exact;
  shortlist.precision = BARISTA_PRECISION_INT8_SHORTLIST;
  barista_overlay_params overlay_params = barista_overlay_default_params();
  overlay_params.memory_limit = 8u << 20;
  call([&] { return barista_model_open_file(model_path.c_str(), &open, &model, nullptr); });
  call([&] { return barista_session_create(model, &session); });
  call([&] { return barista_request_create(model, &request); });
  call([&] { return barista_request_set_user(request, "customer-7", BARISTA_STRLEN); });
  call([&] { return barista_session_recommend(session, request, &exact, top, 10, &count); });
  call([&] { return barista_session_recommend(session, request, &shortlist, top, 10, &count); });
  call([&] { return barista_overlay_open(model, nullptr, &overlay_params, &overlay, nullptr); });
  call([&] { return barista_session_set_overlay(session, overlay); });
  call([&] { return barista_overlay_observe(overlay, request, top[0].item, 1.0f, 1.0f); });
  call([&] { return barista_session_recommend(session, request, &exact, top, 10, &count); });
  barista_explanation why{};
  why.struct_size = sizeof why;
  call([&] { return barista_session_explain(session, request, top[0].item, &why); });
  const barista_batch_request batch[2] = {{request, &exact}, {request, &shortlist}};
  barista_recommendation both[20];
  size_t counts[2];
  call([&] { return barista_session_recommend_many(session, batch, 2, both, 20, counts); });
  barista_overlay_free(overlay);
  barista_request_free(request);
  barista_session_free(session);
  barista_model_free(model);
  if (status != BARISTA_STATUS_OK) {
    std::fprintf(stderr, "call %d: unexpected status %s\n", calls, barista_status_name(status));
    return kOtherStatus;
  }
  return out_of_memory_at < 0 ? kAllOk : kFirstCall + out_of_memory_at;
}
constexpr int kCalls = 12;

// Runs host_calls in a child; its exit code, or -signal when it died.
int run_capped(const std::string& model_path, int capped_call, size_t headroom) {
  const std::string call_text = std::to_string(capped_call), headroom_text = std::to_string(headroom);
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/proc/self/exe", "out_of_memory_child", "--child", model_path.c_str(), call_text.c_str(),
          headroom_text.c_str(), nullptr);
    _exit(4);
  }
  int wstatus = 0;
  if (pid < 0 || waitpid(pid, &wstatus, 0) != pid) return -1000;
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -WTERMSIG(wstatus);
}

}  // namespace

TEST_CASE("every call returns OUT_OF_MEMORY or succeeds as the heap runs out, never ends the process") {
  barista::cli::ModelShape shape;
  REQUIRE(barista::cli::reference_shape("M", &shape));
  shape.items = 20000;
  barista_test::TempDir dir;
  const std::string path = dir.file("m.barista");
  REQUIRE(write_model_file(barista::cli::make_random_model(shape, 5), WriteOptions{}, path).ok());

  // Before each call in turn, 0, 64 KiB, 128 KiB, ... 256 MiB of memory
  // left: every run ends with every call OK, or with one OUT_OF_MEMORY
  // that succeeds when retried with memory back. The calls that allocate
  // most must be among those that failed: opening (the file's copy, the
  // serving index), the session's scratch and the overlay's store.
  std::set<int> failed_calls;
  for (int capped_call = 0; capped_call < kCalls; ++capped_call) {
    for (size_t headroom = 0; headroom <= (size_t{256} << 20); headroom = headroom == 0 ? 65536 : headroom * 2) {
      INFO("memory runs out before call " << capped_call << ", " << headroom << " bytes left");
      const int outcome = run_capped(path, capped_call, headroom);
      REQUIRE(outcome >= 0);  // died of a signal: an allocation failure ended the process
      REQUIRE(outcome != kOtherStatus);
      if (outcome == kAllOk) break;  // more headroom is enough as well
      failed_calls.insert(outcome - kFirstCall);
    }
  }
  std::string list;
  for (int call : failed_calls) list += " " + std::to_string(call);
  MESSAGE("calls that ran out of memory cleanly:" << list);
  CHECK(failed_calls.count(0) == 1);
  CHECK(failed_calls.count(1) == 1);
  CHECK(failed_calls.count(6) == 1);
}

// The test runner, or with --child MODEL CAPPED_CALL HEADROOM the capped child.
int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--child") return host_calls(argv[2], std::stoi(argv[3]), std::stoull(argv[4]));
  return doctest::Context(argc, argv).run();
}
