/* Compiled as C (C99, -pedantic): proves barista.h is a C header, and runs
 * the quick-start loop a C host would write. Usage: c_api_test MODEL */
#include <stdio.h>
#include <string.h>

#include "barista.h"

#define EXPECT(cond)                                                     \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                                          \
    }                                                                    \
  } while (0)

int main(int argc, char** argv) {
  barista_model* model = NULL;
  barista_session* session = NULL;
  barista_request* request = NULL;
  barista_error error;
  barista_recommendation top[3];
  barista_recommend_params params;
  barista_model_info info;
  size_t count = 0;
  size_t i;
  char id[64];

  EXPECT(argc == 2);
  EXPECT(strcmp(barista_version(), BARISTA_VERSION_STRING) == 0);
  if (barista_model_open_file(argv[1], NULL, &model, &error) != BARISTA_STATUS_OK) {
    fprintf(stderr, "open failed: %s (%s)\n", error.message, barista_status_name(error.status));
    return 1;
  }
  EXPECT(barista_model_get_info(model, &info) == BARISTA_STATUS_OK);
  EXPECT(info.item_count > 0);
  EXPECT(barista_session_create(model, &session) == BARISTA_STATUS_OK);
  EXPECT(barista_request_create(model, &request) == BARISTA_STATUS_OK);
  EXPECT(barista_request_set_user(request, "alice", BARISTA_STRLEN) == BARISTA_STATUS_OK);
  EXPECT(barista_request_set_number(request, "hour", 8.0) == BARISTA_STATUS_OK);
  EXPECT(barista_request_add_string(request, "nonsense", "x", 1) == BARISTA_STATUS_NOT_FOUND);
  EXPECT(strlen(barista_request_last_error(request)) > 0);

  params = barista_recommend_default_params();
  params.k = 3;
  EXPECT(barista_session_recommend(session, request, &params, top, 3, &count) == BARISTA_STATUS_OK);
  EXPECT(count == 3);
  for (i = 0; i < count; ++i) {
    EXPECT(barista_model_get_item_id(model, top[i].item, id, sizeof id, NULL) == BARISTA_STATUS_OK);
    printf("%u. %s %.3f\n", (unsigned)(i + 1), id, (double)top[i].score);
  }
  barista_request_free(request);
  barista_session_free(session);
  barista_model_free(model);
  return 0;
}
