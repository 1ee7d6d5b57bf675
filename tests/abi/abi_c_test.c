/*
 * The host's side of the ABI, written in plain C99 as a host would: dlopen the built plugin,
 * negotiate the ABI, create an instance, dispatch from several threads, try bad input,
 * destroy and unload. Run under valgrind by CTest (no leaks, no threads left behind, and no
 * read past the end of a host table as small as ABI 1.0 made it).
 *
 * This file is a host of ABI 1.1 (BOLIGFLYT_ABI_MINOR). It plays a 1.0 host too: it asks for
 * minor 0 and hands the plugin a host table that ends where 1.0's did. And it checks the
 * host's rule for plugin tables: one built against 1.0 is accepted, one too small for the 1.0
 * fields is not.
 *
 * Usage: abi_c_test /path/to/libboligflyt.so
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static boligflyt_str S(const char* s) {
  boligflyt_str r;
  r.data = s;
  r.size = strlen(s);
  return r;
}

static int count_threads(void) {
  DIR* d = opendir("/proc/self/task");
  int n = 0;
  struct dirent* e;
  if (!d) return -1;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

/* Host services: count log lines and answer directory look-ups. */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static int log_lines = 0;
static int log_has_secret = 0;
static int log_register_absent = 0; /* lines saying the host has no avvik register */

static void host_log(void* ctx, boligflyt_log_level level, const char* json, size_t size) {
  (void)ctx;
  (void)level;
  pthread_mutex_lock(&log_mutex);
  ++log_lines;
  /* A log line must be one JSON object and must never carry the request body. */
  if (size == 0 || json[0] != '{' || json[size - 1] != '}') log_has_secret = 1;
  {
    static const char event[] = "host_register_absent";
    size_t i;
    for (i = 0; i + sizeof event - 1 <= size; ++i) {
      if (memcmp(json + i, event, sizeof event - 1) == 0) ++log_register_absent;
    }
  }
  if (size >= 6) {
    size_t i;
    for (i = 0; i + 6 <= size; ++i) {
      if (memcmp(json + i, "SECRET", 6) == 0) log_has_secret = 1;
    }
  }
  pthread_mutex_unlock(&log_mutex);
}

static int host_directory(void* ctx, const char* query, size_t query_size, boligflyt_sink_fn sink,
                          void* sink_ctx, char* err, size_t err_size) {
  static const char answer[] = "{\"id\":\"boligkontor\",\"name\":\"Boligkontoret\"}";
  (void)ctx;
  (void)err;
  (void)err_size;
  if (query_size > 0 && strstr(query, "boligkontor") != NULL)
    sink(sink_ctx, answer, strlen(answer));
  return 0;
}

/* ABI 1.1 mirror_deviation: remembers the avvik the plugin mirrored. */
static pthread_mutex_t mirror_mutex = PTHREAD_MUTEX_INITIALIZER;
static int mirror_calls = 0;
static int mirror_had_free_text = 0;
static char mirror_last[2048];

static int host_mirror(void* ctx, const char* json, size_t size, char* err, size_t err_size) {
  (void)ctx;
  (void)err;
  (void)err_size;
  pthread_mutex_lock(&mirror_mutex);
  ++mirror_calls;
  if (size >= sizeof mirror_last) size = sizeof mirror_last - 1;
  memcpy(mirror_last, json, size);
  mirror_last[size] = '\0';
  if (strstr(mirror_last, "Innkalling") != NULL || strstr(mirror_last, "Ingen innkalling") != NULL)
    mirror_had_free_text = 1;
  pthread_mutex_unlock(&mirror_mutex);
  return 0;
}

static int log_mentions(const char* needle);

/* The host's side of the struct_size rule for the plugin's table: every field this host reads
   is a 1.0 field, so a table that holds them is usable, whatever minor built it. */
static int host_accepts_table(const boligflyt_plugin_api* table) {
  return table->struct_size >= BOLIGFLYT_PLUGIN_API_SIZE_1_0 &&
         table->abi_major == BOLIGFLYT_ABI_MAJOR && table->abi_minor <= BOLIGFLYT_ABI_MINOR &&
         table->create != NULL && table->dispatch != NULL && table->response_free != NULL &&
         table->destroy != NULL;
}

static const boligflyt_plugin_api* api;
static boligflyt_instance* instance;

static boligflyt_response* call(const char* method, const char* path, const char* body,
                                const char* content_type, int with_principal) {
  static const boligflyt_str units[] = {{"boligkontor", 11}};
  static const boligflyt_str roles[] = {{"unit_leader", 11}};
  boligflyt_principal principal;
  boligflyt_request request;
  boligflyt_header headers[1];
  boligflyt_response* response = NULL;
  char err[256] = {0};
  boligflyt_status status;

  memset(&principal, 0, sizeof principal);
  principal.struct_size = sizeof principal;
  principal.user_id = S("leder-boligkontor");
  principal.display_name = S("Åse Ødegård");
  principal.units = units;
  principal.unit_count = 1;
  principal.roles = roles;
  principal.role_count = 1;

  memset(&request, 0, sizeof request);
  request.struct_size = sizeof request;
  request.method = S(method);
  request.path = S(path);
  request.query = S("");
  headers[0].name = S("Content-Type");
  headers[0].value = S(content_type ? content_type : "application/json");
  request.headers = headers;
  request.header_count = 1;
  request.body = S(body ? body : "");
  request.principal = with_principal ? &principal : NULL;

  status = api->dispatch(instance, &request, &response, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK, "dispatch %s %s: %d %s", method, path, (int)status, err);
  CHECK(status != BOLIGFLYT_OK || response != NULL, "no response");
  /* A response from a plugin of an older minor may be smaller than this host's struct; only
     the 1.0 fields are read. */
  CHECK(response == NULL || response->struct_size >= BOLIGFLYT_RESPONSE_SIZE_1_0, "struct_size");
  return response;
}

static int body_contains(const boligflyt_response* r, const char* needle) {
  /* Bodies are not NUL-terminated: copy. */
  char* copy = malloc(r->body.size + 1);
  int found;
  memcpy(copy, r->body.data, r->body.size);
  copy[r->body.size] = '\0';
  found = strstr(copy, needle) != NULL;
  free(copy);
  return found;
}

static int log_mentions(const char* needle) {
  int n;
  (void)needle; /* only the register event is counted */
  pthread_mutex_lock(&log_mutex);
  n = log_register_absent;
  pthread_mutex_unlock(&log_mutex);
  return n;
}

static const char kDeviation[] =
    "{\"procedure_id\":\"boligflytprosedyre\",\"step_id\":\"tildelingsmote\","
    "\"incident_date\":\"2026-11-02\",\"category\":\"uklart_ansvar\",\"severity\":\"middels\","
    "\"title\":\"Innkalling til tildelingsm\u00f8tet kom ikke\","
    "\"description\":\"Ingen innkalling.\"}";

static void* worker(void* arg) {
  int i;
  (void)arg;
  for (i = 0; i < 100; ++i) {
    boligflyt_response* r = call("GET", "/api/v1/me", NULL, NULL, 1);
    if (r) {
      CHECK(r->status == 200, "me status %d", r->status);
      CHECK(body_contains(r, "leder-boligkontor"), "me body");
      CHECK(body_contains(r, "Boligkontoret"), "unit name from host directory");
      api->response_free(r);
    }
    r = call("GET", "/healthz", NULL, NULL, 0);
    if (r) {
      CHECK(r->status == 200, "healthz %d", r->status);
      api->response_free(r);
    }
    r = call("GET", "/api/v1/finnes-ikke", NULL, NULL, 1);
    if (r) {
      CHECK(r->status == 404, "unknown route %d", r->status);
      CHECK(r->content_type.size == strlen("application/problem+json") &&
                memcmp(r->content_type.data, "application/problem+json", r->content_type.size) == 0,
            "problem+json");
      api->response_free(r);
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  void* lib;
  boligflyt_plugin_entry_fn entry;
  boligflyt_host_services services;
  char err[512];
  char data_dir[] = "/tmp/boligflyt-abi-XXXXXX";
  char config[1024];
  boligflyt_status status;
  boligflyt_response* r;
  pthread_t threads[8];
  int threads_before, threads_running, i;
  char* big;

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
  if (!entry) return 1;

  /* An unknown major and a host older than the plugin's minor are refused with a reason. */
  err[0] = '\0';
  status = entry(BOLIGFLYT_ABI_MAJOR + 1, 0, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_ABI_VERSION, "major+1 accepted: %d", (int)status);
  CHECK(strstr(err, "ABI") != NULL, "no reason given: '%s'", err);
  CHECK(api == NULL, "api set on refusal");
  status = entry(0, 99, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_ABI_VERSION, "major 0 accepted");
  status = entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR, NULL, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_INVALID_ARGUMENT, "NULL out_api accepted");
  /* A tiny error buffer is still NUL-terminated and never overrun. */
  {
    char tiny[4] = {'x', 'x', 'x', 'x'};
    status = entry(BOLIGFLYT_ABI_MAJOR + 1, 0, &api, tiny, 3);
    CHECK(tiny[2] == '\0' && tiny[3] == 'x', "tiny buffer");
  }
  /* A newer host minor is fine. */
  status = entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR + 3, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK, "newer minor refused: %s", err);
  /* A 1.0 host: the plugin (built against 1.1, needing nothing 1.1 added) serves it and says
     in its table that it speaks 1.0 with it, which is what a 1.0 host checks. */
  status = entry(BOLIGFLYT_ABI_MAJOR, 0, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK && api != NULL, "a 1.0 host refused: %s", err);
  CHECK(api == NULL || api->abi_minor == 0, "table for a 1.0 host says minor %u",
        api ? api->abi_minor : 99u);
  CHECK(api == NULL || host_accepts_table(api), "1.0 table not acceptable");
  status = entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR, &api, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK && api != NULL, "entry: %s", err);
  if (!api) return 1;
  CHECK(api->abi_minor == BOLIGFLYT_ABI_MINOR, "minor %u", api->abi_minor);
  CHECK(host_accepts_table(api), "the plugin's own table");
  {
    /* A table as a plugin built against 1.0 hands it over: 1.0's size and minor. Accepted. A
       table that cannot hold the 1.0 fields (here: no room for destroy) is refused. */
    boligflyt_plugin_api older = *api;
    older.struct_size = BOLIGFLYT_PLUGIN_API_SIZE_1_0;
    older.abi_minor = 0;
    CHECK(host_accepts_table(&older), "a plugin table of ABI 1.0 refused");
    older.struct_size = BOLIGFLYT_PLUGIN_API_SIZE_1_0 - sizeof(void*);
    CHECK(!host_accepts_table(&older), "a table too small for ABI 1.0 accepted");
    older = *api;
    older.abi_minor = BOLIGFLYT_ABI_MINOR + 1;
    CHECK(!host_accepts_table(&older), "a plugin of a newer minor accepted");
  }
  CHECK(api->abi_major == BOLIGFLYT_ABI_MAJOR, "abi major");
  CHECK(strstr(api->manifest_json, "\"name\":\"boligflyt\"") != NULL, "manifest");

  if (!mkdtemp(data_dir)) return 1;
  snprintf(config, sizeof config,
           "{\"data_dir\":\"%s/data\",\"limits\":{\"max_body_bytes\":4096},"
           "\"maintenance_interval_ms\":20}",
           data_dir);

  memset(&services, 0, sizeof services);
  services.struct_size = sizeof services;
  services.log = host_log;
  services.directory_lookup = host_directory; /* notify, publish_document left NULL */
  services.mirror_deviation = host_mirror;    /* ABI 1.1 */

  /* Bad create calls: NULL table, malformed JSON, unknown key, relative path. */
  status = api->create(NULL, config, strlen(config), &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_INVALID_ARGUMENT && instance == NULL, "NULL table: %d", (int)status);
  CHECK(strstr(err, "NULL") != NULL, "NULL table message: %s", err);
  status = api->create(&services, "{\"data_dir\": ", 13, &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_CONFIG, "malformed JSON: %d", (int)status);
  CHECK(strstr(err, "linje 1") != NULL, "malformed JSON message lacks position: %s", err);
  status =
      api->create(&services, "{\"data_dir\":\"/tmp/x\",\"dta\":1}", 29, &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_CONFIG && strstr(err, "dta") != NULL, "unknown key: %s", err);
  status = api->create(&services, "{\"data_dir\":\"rel\"}", 18, &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_CONFIG && strstr(err, "data_dir") != NULL, "relative dir: %s", err);
  /* A data folder that cannot be created fails to initialise with the reason. */
  status =
      api->create(&services, "{\"data_dir\":\"/proc/boligflyt\"}", 30, &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_E_INIT && instance == NULL, "unusable data dir: %d %s", (int)status,
        err);

  threads_before = count_threads();
  status = api->create(&services, config, strlen(config), &instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK && instance != NULL, "create: %s", err);
  if (!instance) return 1;
  threads_running = count_threads();
  CHECK(threads_running > threads_before, "the plugin's background worker should run (%d vs %d)",
        threads_running, threads_before);

  /* Bad requests: the plugin answers with problems and keeps serving. */
  r = call("PUT", "/api/v1/me/preferences", "{\"notify\": SECRET", NULL, 1);
  if (r) {
    CHECK(r->status == 400 && body_contains(r, "invalid-json") && body_contains(r, "kolonne"),
          "invalid JSON: %d", r->status);
    CHECK(!body_contains(r, "SECRET"), "problem echoes the body");
    api->response_free(r);
  }
  r = call("PUT", "/api/v1/me/preferences", "{\"notify\":\"straks\xff\"}", NULL, 1);
  if (r) {
    CHECK(r->status == 400 && body_contains(r, "invalid-utf8"), "invalid UTF-8 body: %d",
          r->status);
    api->response_free(r);
  }
  r = call("GET", "/api/v1/\xc3\x28", NULL, NULL, 1);
  if (r) {
    CHECK(r->status == 400 && body_contains(r, "invalid-path"), "invalid UTF-8 path: %d",
          r->status);
    api->response_free(r);
  }
  big = malloc(5000);
  memset(big, ' ', 4999);
  big[0] = '{';
  big[4998] = '}';
  big[4999] = '\0';
  r = call("PUT", "/api/v1/me/preferences", big, NULL, 1);
  free(big);
  if (r) {
    CHECK(r->status == 413, "body over limit: %d", r->status);
    api->response_free(r);
  }
  r = call("GET", "/api/v1/me", NULL, NULL, 0);
  if (r) {
    CHECK(r->status == 401, "no principal: %d", r->status);
    api->response_free(r);
  }
  r = call("DELETE", "/healthz", NULL, NULL, 0);
  if (r) {
    CHECK(r->status == 405, "method not allowed: %d", r->status);
    api->response_free(r);
  }
  {
    /* A request struct too small for ABI 1.0 is refused, not read past its end. */
    boligflyt_request small;
    boligflyt_response* out = NULL;
    memset(&small, 0, sizeof small);
    small.struct_size = 8;
    status = api->dispatch(instance, &small, &out, err, sizeof err);
    CHECK(status == BOLIGFLYT_E_INVALID_ARGUMENT && out == NULL, "small request: %d", (int)status);
  }
  r = call("PUT", "/api/v1/me/preferences", "{\"notify\":\"daily_digest\"}", NULL, 1);
  if (r) {
    CHECK(r->status == 200 && body_contains(r, "daily_digest"), "preferences: %d", r->status);
    api->response_free(r);
  }
  api->response_free(NULL);
  /* The host passed only data_dir: the plugin found the procedures shipped beside it (and its
     XSD is compiled in), so it serves the whole product and says it is healthy. */
  r = call("GET", "/api/v1/procedures", NULL, NULL, 1);
  if (r) {
    CHECK(r->status == 200 && body_contains(r, "boligflytprosedyre"), "procedures: %d", r->status);
    api->response_free(r);
  }
  r = call("GET", "/healthz", NULL, NULL, 0);
  if (r) {
    CHECK(body_contains(r, "\"status\":\"ok\""), "healthz of a plugin given only data_dir");
    api->response_free(r);
  }

  CHECK(log_mentions("host_register_absent") == 0,
        "a 1.1 host with a register was told it has none");
  /* ABI 1.1: a new avvik reaches the host's register through the outbox, with the plugin's id
     as key and without its free text. */
  r = call("POST", "/api/v1/deviations", kDeviation, NULL, 1);
  if (r) {
    CHECK(r->status == 201, "register avvik: %d", r->status);
    api->response_free(r);
  }
  {
    int waited, calls = 0;
    for (waited = 0; waited < 1000 && calls == 0; ++waited) { /* at most ~10 s */
      pthread_mutex_lock(&mirror_mutex);
      calls = mirror_calls;
      pthread_mutex_unlock(&mirror_mutex);
      if (calls == 0) usleep(10000);
    }
    pthread_mutex_lock(&mirror_mutex);
    CHECK(mirror_calls >= 1, "the avvik was not mirrored");
    CHECK(strstr(mirror_last, "\"id\":\"AVVIK-") != NULL, "mirror without id: %s", mirror_last);
    CHECK(strstr(mirror_last, "\"step_id\":\"tildelingsmote\"") != NULL, "mirror: %s", mirror_last);
    CHECK(!mirror_had_free_text, "the mirror carried the avvik's free text");
    pthread_mutex_unlock(&mirror_mutex);
  }

  for (i = 0; i < 8; ++i) pthread_create(&threads[i], NULL, worker, NULL);
  for (i = 0; i < 8; ++i) pthread_join(threads[i], NULL);

  status = api->destroy(instance, err, sizeof err);
  CHECK(status == BOLIGFLYT_OK, "destroy: %s", err);
  CHECK(count_threads() == threads_before, "threads left behind: %d, before %d", count_threads(),
        threads_before);

  {
    /* A 1.0 host: its table ends after directory_lookup. It lives in a block of exactly that
       size, so valgrind sees any read of the 1.1 entry past its end. The plugin serves it,
       mirrors nothing and says so once in the log. */
    unsigned char* old_table = malloc(BOLIGFLYT_HOST_SERVICES_SIZE_1_0);
    const size_t old_size = BOLIGFLYT_HOST_SERVICES_SIZE_1_0;
    const boligflyt_plugin_api* api_1_0 = NULL;
    boligflyt_instance* saved = instance;
    int mirrored_before;
    /* Byte copies: the block is smaller than this host's struct, so no field access. */
    memcpy(old_table, &services, old_size);
    memcpy(old_table + offsetof(boligflyt_host_services, struct_size), &old_size, sizeof old_size);
    status = entry(BOLIGFLYT_ABI_MAJOR, 0, &api_1_0, err, sizeof err);
    CHECK(status == BOLIGFLYT_OK && api_1_0 != NULL, "entry as 1.0 host: %s", err);
    snprintf(config, sizeof config, "{\"data_dir\":\"%s/data-1.0\",\"maintenance_interval_ms\":20}",
             data_dir);
    pthread_mutex_lock(&mirror_mutex);
    mirrored_before = mirror_calls;
    pthread_mutex_unlock(&mirror_mutex);
    if (api_1_0) {
      status = api_1_0->create((const boligflyt_host_services*)(void*)old_table, config,
                               strlen(config), &instance, err, sizeof err);
      CHECK(status == BOLIGFLYT_OK && instance != NULL, "create with a 1.0 table: %s", err);
      if (status == BOLIGFLYT_OK) {
        CHECK(log_mentions("host_register_absent") == 1, "no single log line about the register");
        r = call("POST", "/api/v1/deviations", kDeviation, NULL, 1);
        if (r) {
          CHECK(r->status == 201, "register avvik with a 1.0 host: %d", r->status);
          api->response_free(r);
        }
        status = api_1_0->destroy(instance, err, sizeof err);
        CHECK(status == BOLIGFLYT_OK, "destroy (1.0 host): %s", err);
      }
    }
    pthread_mutex_lock(&mirror_mutex);
    CHECK(mirror_calls == mirrored_before, "a 1.0 host table was given a mirror call");
    pthread_mutex_unlock(&mirror_mutex);
    /* The plugin copied the table at create(); the host may free it after destroy(). */
    free(old_table);
    instance = saved;
    /* A table too small for ABI 1.0 (no room for directory_lookup) is refused. */
    services.struct_size = BOLIGFLYT_HOST_SERVICES_SIZE_1_0 - sizeof(void*);
    status = api->create(&services, config, strlen(config), &instance, err, sizeof err);
    CHECK(status == BOLIGFLYT_E_INVALID_ARGUMENT, "host table too small for 1.0: %d", (int)status);
    services.struct_size = sizeof services;
  }
  CHECK(log_lines > 0, "no log line reached the host");
  CHECK(!log_has_secret, "a log line was not a JSON object or carried the request body");
  CHECK(dlclose(lib) == 0, "dlclose: %s", dlerror());

  {
    /* The library copied somewhere without its shipped procedures: given only data_dir it
       refuses with BOLIGFLYT_E_CONFIG naming the missing key, instead of serving nothing. */
    char command[2400];
    char alone[1100];
    boligflyt_plugin_entry_fn alone_entry;
    const boligflyt_plugin_api* alone_api = NULL;
    void* alone_lib;
    snprintf(alone, sizeof alone, "%s/alone/libboligflyt.so", data_dir);
    snprintf(command, sizeof command, "mkdir -p '%s/alone' && cp '%s' '%s'", data_dir, argv[1],
             alone);
    CHECK(system(command) == 0, "copy the library: %s", command);
    alone_lib = dlopen(alone, RTLD_NOW | RTLD_LOCAL);
    CHECK(alone_lib != NULL, "dlopen copy: %s", dlerror());
    if (alone_lib) {
      *(void**)(&alone_entry) = dlsym(alone_lib, BOLIGFLYT_ENTRY_SYMBOL);
      status = alone_entry(BOLIGFLYT_ABI_MAJOR, BOLIGFLYT_ABI_MINOR, &alone_api, err, sizeof err);
      CHECK(status == BOLIGFLYT_OK && alone_api != NULL, "entry of copy: %s", err);
      if (alone_api) {
        boligflyt_instance* alone_instance = NULL;
        snprintf(config, sizeof config, "{\"data_dir\":\"%s/alone-data\"}", data_dir);
        status =
            alone_api->create(&services, config, strlen(config), &alone_instance, err, sizeof err);
        CHECK(status == BOLIGFLYT_E_CONFIG && alone_instance == NULL &&
                  strstr(err, "procedures_dir") != NULL,
              "library without its procedures: %d %s", (int)status, err);
      }
      CHECK(dlclose(alone_lib) == 0, "dlclose copy: %s", dlerror());
    }
  }

  {
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", data_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", data_dir);
  }
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("abi_c_test: all checks passed\n");
  return 0;
}
