// The C++ header from an installed barista, in a host compiled with
// -fno-exceptions -fno-rtti: open, recommend, learn in memory, score.
// Exits non-zero on any failure.
#include <barista.hpp>
#include <cstdio>
#include <vector>

namespace {
int fail(const char* what, const barista::Status& status) {
  std::fprintf(stderr, "consumer: %s: %s (%s)\n", what, status.message().c_str(), status.name());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer_cpp MODEL\n");
    return 2;
  }
  barista::Model model;
  barista::Status status = barista::Model::open(argv[1], &model);
  if (!status) return fail("open", status);
  barista::Session session;
  barista::Request request;
  barista::Overlay overlay;
  if (!(status = barista::Session::create(model, &session))) return fail("session", status);
  if (!(status = barista::Request::create(model, &request))) return fail("request", status);
  if (!(status = barista::Overlay::open(model, "", &overlay))) return fail("overlay", status);
  if (!(status = session.set_overlay(overlay))) return fail("set_overlay", status);
  if (!(status = request.set_user("alice")) || !(status = request.set("hour", 20.0))) return fail("features", status);

  std::vector<barista_recommendation> top;
  barista::RecommendOptions options;
  options.k = 3;
  if (!(status = session.recommend(request, options, &top))) return fail("recommend", status);
  if (top.size() != 3) return fail("recommend", barista::Status(BARISTA_STATUS_INTERNAL, "not three items"));
  std::printf("barista %s (C++): alice's top 3:", barista_version());
  for (const barista_recommendation& r : top) std::printf(" %s (%.2f)", model.item_id(r.item).c_str(), r.score);
  std::printf("\n");

  // Learning shows at once: alice buys her third choice twice, and its
  // score rises.
  const uint32_t third = top[2].item;
  std::vector<float> before, after;
  if (!(status = session.score(request, {&third, 1}, &before))) return fail("score", status);
  for (int visit = 0; visit < 2; ++visit) {
    if (!(status = overlay.observe(request, third, 1.0f))) return fail("observe", status);
  }
  if (!(status = session.score(request, {&third, 1}, &after))) return fail("score", status);
  std::printf("%s: %.3f -> %.3f after two purchases\n", model.item_id(third).c_str(), before[0], after[0]);
  if (!(after[0] > before[0])) return fail("learning", barista::Status(BARISTA_STATUS_INTERNAL, "no rise"));

  // A misuse gives a status, not an exception.
  uint32_t missing = 0;
  status = model.find_item("unicorn latte", &missing);
  if (status.ok()) return fail("find_item", barista::Status(BARISTA_STATUS_INTERNAL, "found a unicorn"));
  std::printf("unknown item: %s\n", status.name());
  return 0;
}
