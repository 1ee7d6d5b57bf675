/*
 * ABI 1.2 notify_batch, from the host's side, in plain C99 (run under valgrind too):
 *
 *  - A 1.2 host that offers notify_batch gets the notifications of several avvik in one call
 *    (never through notify()). A call that fails as a whole, and a notification the host
 *    refuses alone inside a batch, are tried again; every notification is accepted exactly
 *    once in the end: nothing the plugin was told is kept is delivered twice, nothing is lost.
 *  - A 1.1 host, whose table ends before notify_batch (in a block of exactly that size, so
 *    valgrind sees any read past it), gets every notification through notify(), one each.
 *
 * Usage: abi_notify_batch_test /path/to/libboligflyt.so
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boligflyt/plugin_abi.h"

static int failures = 0;
#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fprintf(stderr, "\n");                                          \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

enum { kAvvik = 5, kMaxKeys = 64, kKeySize = 128 };

/* What the host saw; guarded by `mutex`. */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int notify_calls = 0;
static int batch_calls = 0;
static size_t largest_batch = 0;
static int registered = 0; /* avvik registered so far by the test */
static char accepted_keys[kMaxKeys][kKeySize];
static int accepted_times[kMaxKeys];
static int accepted_count = 0;

static void host_log(void* ctx, boligflyt_log_level level, const char* json, size_t size) {
  (void)ctx;
  (void)level;
  (void)json;
  (void)size;
}

/* The notification's "key", or "" when it has none. */
static void key_of(const char* json, size_t size, char* key) {
  static const char marker[] = "\"key\":\"";
  char buffer[4096];
  const char* at;
  size_t n = 0;
  key[0] = '\0';
  if (size >= sizeof buffer) size = sizeof buffer - 1;
  memcpy(buffer, json, size);
  buffer[size] = '\0';
  at = strstr(buffer, marker);
  if (at == NULL) return;
  at += sizeof marker - 1;
  while (at[n] != '\0' && at[n] != '"' && n + 1 < kKeySize) {
    key[n] = at[n];
    ++n;
  }
  key[n] = '\0';
}

/* Called with `mutex` held. */
static void accept_key(const char* json, size_t size) {
  char key[kKeySize];
  int i;
  key_of(json, size, key);
  for (i = 0; i < accepted_count; ++i) {
    if (strcmp(accepted_keys[i], key) == 0) {
      ++accepted_times[i];
      pthread_cond_broadcast(&changed);
      return;
    }
  }
  if (accepted_count < kMaxKeys) {
    strcpy(accepted_keys[accepted_count], key);
    accepted_times[accepted_count] = 1;
    ++accepted_count;
  }
  pthread_cond_broadcast(&changed);
}

static int host_notify(void* ctx, const char* json, size_t size, char* err, size_t err_size) {
  (void)ctx;
  (void)err;
  (void)err_size;
  pthread_mutex_lock(&mutex);
  ++notify_calls;
  accept_key(json, size);
  pthread_mutex_unlock(&mutex);
  return 0;
}

static struct timespec deadline_in(int seconds) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += seconds;
  return t;
}

/* The first call waits until every avvik is registered (so the next one finds several due)
   and then fails as a whole; the second refuses its first notification alone; the rest are
   accepted. */
static int host_notify_batch(void* ctx, const boligflyt_str* notifications, size_t count,
                             int* results, char* err, size_t err_size) {
  size_t i;
  int call;
  (void)ctx;
  pthread_mutex_lock(&mutex);
  call = ++batch_calls;
  if (count > largest_batch) largest_batch = count;
  if (call == 1) {
    const struct timespec until = deadline_in(30);
    while (registered < kAvvik) {
      if (pthread_cond_timedwait(&changed, &mutex, &until) != 0) break;
    }
    pthread_mutex_unlock(&mutex);
    snprintf(err, err_size, "the host's disk is full");
    return 1;
  }
  for (i = 0; i < count; ++i) {
    if (call == 2 && i == 0) {
      results[i] = 1;
      continue;
    }
    accept_key(notifications[i].data, notifications[i].size);
    results[i] = 0;
  }
  pthread_mutex_unlock(&mutex);
  return 0;
}

static const boligflyt_plugin_api* api;
static boligflyt_instance* instance;

static int register_avvik(void) {
  static const char body[] =
      "{\"procedure_id\":\"boligflytprosedyre\",\"step_id\":\"tildelingsmote\","
      "\"incident_date\":\"2026-11-02\",\"category\":\"uklart_ansvar\",\"severity\":\"middels\","
      "\"title\":\"Innkalling kom ikke\",\"description\":\"Ingen innkalling.\"}";
  static const boligflyt_str units[] = {{"boligkontor", 11}};
  static const boligflyt_str roles[] = {{"unit_leader", 11}};
  boligflyt_principal principal;
  boligflyt_request request;
  boligflyt_header headers[1];
  boligflyt_response* response = NULL;
  char err[256] = {0};
  int status_code = 0;

  memset(&principal, 0, sizeof principal);
  principal.struct_size = sizeof principal;
  principal.user_id.data = "leder-boligkontor";
  principal.user_id.size = strlen(principal.user_id.data);
  principal.units = units;
  principal.unit_count = 1;
  principal.roles = roles;
  principal.role_count = 1;
  memset(&request, 0, sizeof request);
  request.struct_size = sizeof request;
  request.method.data = "POST";
  request.method.size = 4;
  request.path.data = "/api/v1/deviations";
  request.path.size = strlen(request.path.data);
  headers[0].name.data = "Content-Type";
  headers[0].name.size = strlen(headers[0].name.data);
  headers[0].value.data = "application/json";
  headers[0].value.size = strlen(headers[0].value.data);
  request.headers = headers;
  request.header_count = 1;
  request.body.data = body;
  request.body.size = strlen(body);
  request.principal = &principal;
  if (api->dispatch(instance, &request, &response, err, sizeof err) != BOLIGFLYT_OK) {
    fprintf(stderr, "dispatch: %s\n", err);
    return 0;
  }
  status_code = response->status;
  api->response_free(response);
  return status_code;
}

/* Registered avvik whose ":registered:" notification was accepted, waited for (bounded). */
static int wait_for_registered_keys(int want) {
  const struct timespec until = deadline_in(30);
  int found = 0;
  pthread_mutex_lock(&mutex);
  for (;;) {
    int i;
    found = 0;
    for (i = 0; i < accepted_count; ++i) {
      if (strstr(accepted_keys[i], ":registered:") != NULL) ++found;
    }
    if (found >= want) break;
    if (pthread_cond_timedwait(&changed, &mutex, &until) != 0) break;
  }
  pthread_mutex_unlock(&mutex);
  return found;
}

static void reset_host(void) {
  pthread_mutex_lock(&mutex);
  notify_calls = 0;
  batch_calls = 0;
  largest_batch = 0;
  registered = 0;
  accepted_count = 0;
  memset(accepted_times, 0, sizeof accepted_times);
  pthread_mutex_unlock(&mutex);
}

static void run_host(boligflyt_plugin_entry_fn entry, uint32_t minor,
                     const boligflyt_host_services* table, const char* data_dir) {
  char config[1024];
  char err[512] = {0};
  boligflyt_status status;
  int i;
  status = entry(BOLIGFLYT_ABI_MAJOR, minor, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK && api != NULL, "entry as a 1.%u host: %s", minor, err);
  if (api == NULL) return;
  CHECK(api->abi_minor == minor, "a 1.%u host was told minor %u", minor, api->abi_minor);
  snprintf(config, sizeof config,
           "{\"data_dir\":\"%s\",\"maintenance_interval_ms\":20,"
           "\"notifications\":{\"first_retry_seconds\":1,\"max_retry_seconds\":1}}",
           data_dir);
  status = api->create(table, config, strlen(config), &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK && instance != NULL, "create (1.%u): %s", minor, err);
  if (instance == NULL) return;
  for (i = 0; i < kAvvik; ++i) {
    const int code = register_avvik();
    CHECK(code == 201, "register avvik %d (1.%u host): %d", i, minor, code);
    pthread_mutex_lock(&mutex);
    ++registered;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mutex);
  }
  CHECK(wait_for_registered_keys(kAvvik) == kAvvik,
        "1.%u host: not every avvik's notification "
        "arrived",
        minor);
  status = api->destroy(instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK, "destroy (1.%u): %s", minor, err);
  instance = NULL;
  pthread_mutex_lock(&mutex);
  for (i = 0; i < accepted_count; ++i) {
    CHECK(accepted_times[i] == 1, "1.%u host: %s accepted %d times", minor, accepted_keys[i],
          accepted_times[i]);
  }
  pthread_mutex_unlock(&mutex);
}

int main(int argc, char** argv) {
  void* lib;
  boligflyt_plugin_entry_fn entry;
  boligflyt_host_services services;
  char data_dir[] = "/tmp/boligflyt-abi-batch-XXXXXX";
  char path[1200];

  if (argc != 2) {
    fprintf(stderr, "usage: %s libboligflyt.so\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  *(void**)(&entry) = dlsym(lib, BOLIGFLYT_ENTRY_SYMBOL);
  CHECK(entry != NULL, "dlsym");
  if (!entry || !mkdtemp(data_dir)) return 1;

  memset(&services, 0, sizeof services);
  services.struct_size = sizeof services;
  services.log = host_log;
  services.notify = host_notify;
  services.notify_batch = host_notify_batch; /* ABI 1.2 */

  /* A 1.2 host: batches, a failed call and a refused notification are retried. */
  snprintf(path, sizeof path, "%s/host-1.2", data_dir);
  run_host(entry, 2, &services, path);
  pthread_mutex_lock(&mutex);
  printf("1.2 host: %d notify_batch calls, the largest with %zu notifications, %d keys\n",
         batch_calls, largest_batch, accepted_count);
  CHECK(notify_calls == 0, "a host with notify_batch got %d notify() calls", notify_calls);
  CHECK(batch_calls >= 3, "only %d notify_batch calls: the failures were not retried", batch_calls);
  CHECK(largest_batch >= 2, "no call carried more than %zu notification(s)", largest_batch);
  pthread_mutex_unlock(&mutex);

  {
    /* A 1.1 host: its table ends after mirror_deviation, in a block of exactly that size. */
    const size_t old_size = BOLIGFLYT_SIZE_THROUGH(boligflyt_host_services, mirror_deviation);
    unsigned char* old_table = malloc(old_size);
    reset_host();
    memcpy(old_table, &services, old_size);
    memcpy(old_table + offsetof(boligflyt_host_services, struct_size), &old_size, sizeof old_size);
    snprintf(path, sizeof path, "%s/host-1.1", data_dir);
    run_host(entry, 1, (const boligflyt_host_services*)(void*)old_table, path);
    pthread_mutex_lock(&mutex);
    CHECK(batch_calls == 0, "a 1.1 host table was given %d notify_batch calls", batch_calls);
    CHECK(notify_calls >= kAvvik, "a 1.1 host got %d notify() calls for %d avvik", notify_calls,
          kAvvik);
    pthread_mutex_unlock(&mutex);
    free(old_table);
  }

  CHECK(dlclose(lib) == 0, "dlclose: %s", dlerror());
  {
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", data_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", data_dir);
  }
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("abi_notify_batch_test: all checks passed\n");
  return 0;
}
