/* The library's allocations go to mimalloc without replacing the host's
 * malloc (src/README.md, 'Memory'): linked statically or dynamically, the host's
 * malloc must not be mimalloc's (it is libc's, or a sanitizer's in sanitizer
 * builds). Usage: host_malloc_test MODEL */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barista.h"

int main(int argc, char** argv) {
  Dl_info info;
  barista_model* model = NULL;
  void* (*host_malloc)(size_t) = malloc;
  if (argc != 2) return 2;
  /* Load and use the library first, so that mimalloc is initialized. */
  if (barista_model_open_file(argv[1], NULL, &model, NULL) != BARISTA_STATUS_OK) return 1;
  barista_model_free(model);
  if (dladdr((void*)host_malloc, &info) == 0 || info.dli_fname == NULL) {
    fprintf(stderr, "dladdr failed\n");
    return 1;
  }
  printf("malloc comes from %s\n", info.dli_fname);
  if (strstr(info.dli_fname, "mimalloc") != NULL) {
    fprintf(stderr, "the host's malloc was replaced (by %s)\n", info.dli_fname);
    return 1;
  }
  return 0;
}
