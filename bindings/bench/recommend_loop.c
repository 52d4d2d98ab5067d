/* The C side of the bindings' overhead benchmark (overhead.sh): recommend
 * top-10 on MODEL through the C API, the request rebuilt per call for
 * customers u0 .. u999 in turn, as the Python and Java benchmarks do.
 * Prints the median and minimum microseconds per call over ROUNDS rounds of
 * CALLS calls as JSON. Usage: recommend_loop MODEL [CALLS] [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "barista.h"

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int compare(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL [CALLS] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int calls = argc > 2 ? atoi(argv[2]) : 2000;
  const int rounds = argc > 3 ? atoi(argv[3]) : 5;
  if (calls <= 0 || rounds <= 0 || rounds > 100) return 2;
  barista_model* model = NULL;
  barista_error error;
  if (barista_model_open_file(argv[1], NULL, &model, &error) != BARISTA_STATUS_OK) {
    fprintf(stderr, "%s\n", error.message);
    return 1;
  }
  barista_session* session = NULL;
  barista_request* request = NULL;
  if (barista_session_create(model, &session) != BARISTA_STATUS_OK ||
      barista_request_create(model, &request) != BARISTA_STATUS_OK) {
    return 1;
  }
  barista_recommend_params params = barista_recommend_default_params();
  params.k = 10;
  barista_recommendation top[10];
  char user[16];
  long checksum = 0;
  double per_call[100];
  for (int r = -1; r < rounds; ++r) { /* round -1 warms up */
    const double t0 = now_us();
    for (int i = 0; i < calls; ++i) {
      size_t count = 0;
      snprintf(user, sizeof user, "u%d", i % 1000);
      if (barista_request_clear(request) != BARISTA_STATUS_OK ||
          barista_request_set_user(request, user, BARISTA_STRLEN) != BARISTA_STATUS_OK ||
          barista_session_recommend(session, request, &params, top, 10, &count) != BARISTA_STATUS_OK) {
        fprintf(stderr, "%s\n", barista_session_last_error(session));
        return 1;
      }
      checksum += top[0].item;
    }
    if (r >= 0) per_call[r] = (now_us() - t0) / calls;
  }
  qsort(per_call, (size_t)rounds, sizeof per_call[0], compare);
  printf("{\"binding\": \"c\", \"us_per_call_median\": %.3f, \"us_per_call_min\": %.3f, \"checksum\": %ld}\n",
         per_call[rounds / 2], per_call[0], checksum);
  barista_request_free(request);
  barista_session_free(session);
  barista_model_free(model);
  return 0;
}
