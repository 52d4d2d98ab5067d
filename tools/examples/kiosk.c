/* A coffee-shop kiosk, in C, over barista's C API: the loop a host runs.
 *
 *   kiosk MODEL OVERLAY [CUSTOMER ITEM HOUR]...
 *
 * Opens the model once and the customer's learned weights (OVERLAY, created
 * on first use). For each visit: recommend the top three for the customer
 * at that hour, show them, observe what the customer took (label 1 for the
 * taken item, a weak label 0 for the shown ones passed over), and sync the
 * overlay, so the next visit (or the next run of the kiosk) already knows.
 * Without visits on the command line, a walk-in customer comes four times
 * at 8 o'clock for a matcha latte: watch its score rise.
 *
 * Every call's status is checked: a kiosk must keep serving (or say why it
 * cannot) whatever the files hold. Build against an installed barista:
 *   cc kiosk.c $(pkg-config --cflags --libs barista) -o kiosk
 * (barista-static instead of barista for the static library), or with
 * CMake: find_package(barista) and link barista::barista. */
#include <barista.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_K 3

static int fail(const char* what, barista_status status, const char* message) {
  fprintf(stderr, "kiosk: %s: %s (%s)\n", what, message && message[0] ? message : barista_status_describe(status),
          barista_status_name(status));
  return 1;
}

/* Prints the item's id (the catalog's name for it). */
static void print_item(const barista_model* model, uint32_t item) {
  char id[128];
  size_t length = 0;
  if (barista_model_get_item_id(model, item, id, sizeof id, &length) == BARISTA_STATUS_OK) {
    fputs(id, stdout);
  } else {
    printf("#%u", (unsigned)item);
  }
}

/* One customer at the till: recommend, show, observe the purchase, save. */
static int serve(const barista_model* model, barista_session* session, barista_overlay* overlay,
                 barista_request* request, const char* customer, const char* taken_id, double hour) {
  barista_status status;
  barista_recommendation top[TOP_K];
  uint32_t shown[TOP_K];
  size_t count = 0, i;
  uint32_t taken = BARISTA_NO_ITEM;
  float taken_score = 0.0f;
  barista_recommend_params params = barista_recommend_default_params();
  params.k = TOP_K;

  status = barista_model_find_item(model, taken_id, BARISTA_STRLEN, &taken);
  if (status != BARISTA_STATUS_OK) return fail(taken_id, status, "not on the menu");
  if ((status = barista_request_clear(request)) != BARISTA_STATUS_OK ||
      (status = barista_request_set_user(request, customer, BARISTA_STRLEN)) != BARISTA_STATUS_OK ||
      (status = barista_request_set_number(request, "hour", hour)) != BARISTA_STATUS_OK) {
    return fail("request", status, barista_request_last_error(request));
  }
  status = barista_session_recommend(session, request, &params, top, TOP_K, &count);
  if (status != BARISTA_STATUS_OK) return fail("recommend", status, barista_session_last_error(session));

  printf("%s at %02d:00 sees:", customer, (int)hour);
  for (i = 0; i < count; ++i) {
    fputs(i ? ", " : " ", stdout);
    print_item(model, top[i].item);
    printf(" (%.2f)", top[i].score);
    shown[i] = top[i].item;
  }
  /* What the model thought of the item taken, before learning from it. */
  status = barista_session_score(session, request, &taken, 1, &taken_score, 1);
  if (status != BARISTA_STATUS_OK) return fail("score", status, barista_session_last_error(session));
  printf("; takes %s (%.2f)\n", taken_id, taken_score);

  status = barista_overlay_observe_shown(overlay, request, shown, count, taken);
  if (status != BARISTA_STATUS_OK) return fail("observe", status, barista_overlay_last_error(overlay));
  /* Durable before the customer walks away: a power cut loses nothing. */
  status = barista_overlay_sync(overlay);
  if (status != BARISTA_STATUS_OK) return fail("sync", status, barista_overlay_last_error(overlay));
  return 0;
}

int main(int argc, char** argv) {
  static const char* const default_visits[] = {"walk-in", "matcha latte", "8", "walk-in", "matcha latte", "8",
                                               "walk-in", "matcha latte", "8", "walk-in", "matcha latte", "8"};
  const char* const* visits = default_visits;
  int visit_count = 4, v, failed = 0;
  barista_error error;
  barista_model* model = NULL;
  barista_overlay* overlay = NULL;
  barista_session* session = NULL;
  barista_request* request = NULL;
  barista_overlay_stats stats;
  barista_status status;

  if (argc < 3 || (argc - 3) % 3 != 0) {
    fprintf(stderr, "usage: kiosk MODEL OVERLAY [CUSTOMER ITEM HOUR]...\n");
    return 2;
  }
  if (argc > 3) {
    visits = (const char* const*)(argv + 3);
    visit_count = (argc - 3) / 3;
  }
  /* The header this kiosk was compiled with must match the library it runs. */
  if (barista_version_number() != BARISTA_VERSION_NUMBER) {
    fprintf(stderr, "kiosk: built with barista %s, running with %s\n", BARISTA_VERSION_STRING, barista_version());
    return 1;
  }

  status = barista_model_open_file(argv[1], NULL, &model, &error);
  if (status != BARISTA_STATUS_OK) return fail(argv[1], status, error.message);
  status = barista_overlay_open(model, argv[2], NULL, &overlay, &error);
  if (status != BARISTA_STATUS_OK) {
    barista_model_free(model);
    return fail(argv[2], status, error.message);
  }
  barista_overlay_get_stats(overlay, &stats);
  printf("barista %s; overlay %s: %lu learned weights for %lu customers\n", barista_version(), argv[2],
         (unsigned long)stats.learned_weights, (unsigned long)stats.customers);

  if ((status = barista_session_create(model, &session)) != BARISTA_STATUS_OK ||
      (status = barista_request_create(model, &request)) != BARISTA_STATUS_OK ||
      (status = barista_session_set_overlay(session, overlay)) != BARISTA_STATUS_OK) {
    failed = fail("setup", status, "");
  }
  for (v = 0; v < visit_count && !failed; ++v) {
    failed = serve(model, session, overlay, request, visits[3 * v], visits[3 * v + 1], atof(visits[3 * v + 2]));
  }
  if (!failed) {
    barista_overlay_get_stats(overlay, &stats);
    printf("saved: %lu learned weights for %lu customers\n", (unsigned long)stats.learned_weights,
           (unsigned long)stats.customers);
  }

  /* Free in any order: each handle keeps what it needs alive. */
  barista_request_free(request);
  barista_session_free(session);
  barista_overlay_free(overlay);
  barista_model_free(model);
  return failed;
}
