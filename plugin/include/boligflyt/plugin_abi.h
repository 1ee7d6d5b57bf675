/*
 * boligflyt plugin ABI — the only header a host quality system needs.
 *
 * Plain C (C99). Compatibility rules (learned from SQLite's sqlite3ext.h, PostgreSQL's
 * PG_MODULE_MAGIC, GStreamer and OBS):
 *
 *  - The host calls boligflyt_plugin_entry() with the ABI version it speaks. The plugin
 *    accepts it when the majors are equal and the plugin's minor does not exceed the host's;
 *    otherwise it returns BOLIGFLYT_E_ABI_VERSION and explains why in the error buffer.
 *  - The plugin accepts every host of the same major whose minor is at least
 *    BOLIGFLYT_PLUGIN_MIN_HOST_MINOR, and reports in its table's `abi_minor` the minor it
 *    speaks with that host: the lower of the two. A host refuses a table whose `abi_minor`
 *    exceeds its own.
 *  - Every struct that crosses the boundary begins with `struct_size` and only ever grows at
 *    its end. A reader must check `struct_size` before it touches a field that a later minor
 *    version appended (see BOLIGFLYT_HAS_FIELD): a struct from an older minor version is
 *    smaller than the reader's own, and the fields it lacks count as absent (NULL, 0). A
 *    struct too small to hold the ABI 1.0 fields (BOLIGFLYT_*_SIZE_1_0 below) is refused.
 *    Fields that a minor version appended are marked "ABI 1.x and later".
 *  - Memory: every pointer a caller passes stays the caller's and is valid only during the
 *    call, unless an entry says otherwise. The callee copies what it keeps.
 *  - Threads: the host calls the plugin from any of its threads. The plugin calls host
 *    services from its own background threads (outbox relay, housekeeping) and from the
 *    thread of a dispatch() in progress; the host must not assume either.
 *  - Only C scalars, UTF-8 pointer + length pairs and JSON text cross. No C++ exception and
 *    no C++ type ever crosses; every entry point returns a status code and, on failure,
 *    writes a NUL-terminated UTF-8 message into a caller-supplied buffer (may be NULL/0).
 *  - Load the plugin with dlopen(path, RTLD_NOW | RTLD_LOCAL). It exports exactly one
 *    symbol, boligflyt_plugin_entry; everything else is hidden.
 *  - All functions of a created instance may be called from many threads at once, except
 *    destroy(), which must be the last call on an instance. destroy() stops every thread
 *    the plugin started, so the host may dlclose() afterwards.
 */
#ifndef BOLIGFLYT_PLUGIN_ABI_H
#define BOLIGFLYT_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOLIGFLYT_ABI_MAJOR 1
#define BOLIGFLYT_ABI_MINOR 2
/** The oldest host minor version this plugin works with (it needs nothing from 1.1 or 1.2). */
#define BOLIGFLYT_PLUGIN_MIN_HOST_MINOR 0

/** Name of the ELF section that carries the plugin manifest JSON (readable with objcopy). */
#define BOLIGFLYT_MANIFEST_SECTION ".boligflyt_manifest"
/** The one exported symbol, for dlsym(). */
#define BOLIGFLYT_ENTRY_SYMBOL "boligflyt_plugin_entry"

#if defined(__GNUC__)
#define BOLIGFLYT_EXPORT __attribute__((visibility("default")))
#else
#define BOLIGFLYT_EXPORT
#endif

/** Bytes from the start of `type` to the end of `field`. */
#define BOLIGFLYT_SIZE_THROUGH(type, field) (offsetof(type, field) + sizeof(((type*)0)->field))
/** True when a struct of the reported size contains `field` (for append-only structs). */
#define BOLIGFLYT_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= BOLIGFLYT_SIZE_THROUGH(type, field))

/** Status codes returned by every entry point. */
typedef enum boligflyt_status {
  BOLIGFLYT_OK = 0,
  BOLIGFLYT_E_ABI_VERSION = 1,      /**< host and plugin ABI versions are incompatible */
  BOLIGFLYT_E_INVALID_ARGUMENT = 2, /**< NULL pointer, bad struct_size, ... */
  BOLIGFLYT_E_CONFIG = 3,           /**< configuration JSON malformed or invalid */
  BOLIGFLYT_E_INIT = 4,             /**< the instance could not start (store, files, ...) */
  BOLIGFLYT_E_INTERNAL = 5,         /**< unexpected failure; the instance keeps serving */
  BOLIGFLYT_E_SHUTTING_DOWN = 6     /**< the instance is being destroyed */
} boligflyt_status;

/** A UTF-8 string that is not necessarily NUL-terminated. data may be NULL when size is 0. */
typedef struct boligflyt_str {
  const char* data;
  size_t size;
} boligflyt_str;

/** One HTTP header field. Names are compared case-insensitively. */
typedef struct boligflyt_header {
  boligflyt_str name;
  boligflyt_str value;
} boligflyt_header;

/** Severity for the host's log service. */
typedef enum boligflyt_log_level {
  BOLIGFLYT_LOG_DEBUG = 0,
  BOLIGFLYT_LOG_INFO = 1,
  BOLIGFLYT_LOG_WARN = 2,
  BOLIGFLYT_LOG_ERROR = 3
} boligflyt_log_level;

/**
 * Receives bytes that a host service hands back to the plugin (e.g. a directory lookup).
 * The bytes are only valid during the call; the plugin copies them.
 */
typedef void (*boligflyt_sink_fn)(void* sink_ctx, const char* data, size_t size);

/**
 * Services the host offers the plugin. Any function pointer may be NULL: the plugin then
 * uses its own adapter for that service (for example stderr for log, its own outbox for
 * notify). `host_ctx` is passed back unchanged on every call. The host keeps this table
 * alive until destroy() returns. Calls may come from any plugin thread, several at once.
 *
 * Ownership: every pointer the plugin passes (JSON, content, err) is the plugin's and valid
 * only during the call; the host copies what it keeps. `err` is a plugin buffer of err_size
 * bytes (at least 256) that the host may fill with a NUL-terminated reason.
 * Functions returning int return 0 on success.
 *
 * Blocking: log must not block (a slow log slows every request). notify, publish_document
 * and mirror_deviation are called only from the plugin's outbox thread, never on a request
 * path, so they may block on the network (keep it under a minute: the outbox leases a
 * message for two minutes). directory_lookup is called on request paths: answer from memory
 * or a cache, within a second.
 */
typedef struct boligflyt_host_services {
  size_t struct_size;
  void* host_ctx;

  /**
   * One structured log line: a JSON object (UTF-8, no newline). Never carries secrets.
   * Called from any plugin thread, also during dispatch(); must not block.
   */
  void (*log)(void* host_ctx, boligflyt_log_level level, const char* json, size_t json_size);

  /**
   * Deliver a notification. `json` is an object:
   * {"recipient":R,"subject":"...","body":"...","link":"...","key":"<idempotency key>"}
   * where R is {"user_id":"..."} (one person) or {"unit_id":"...","role":"unit_leader"}
   * (whoever holds that role in the unit), or {"role":"..."} without a unit (whoever holds
   * it anywhere: "quality_leader", "data_protection_officer"; with a unit_id, in that unit).
   * Texts are Norwegian and never carry personal
   * data. The same `key` may arrive again after a retry: deliver it once. Returns 0 when the
   * host accepted it; non-zero means "try again later" and the plugin keeps and retries it.
   * Called from the outbox thread; may block.
   */
  int (*notify)(void* host_ctx, const char* json, size_t json_size, char* err, size_t err_size);

  /**
   * Publish a document to the host's document library. `meta_json` describes it
   * ({"title","content_type","procedure_id","version","sha256"}); content is the bytes.
   * Both stay the plugin's. Called from the outbox thread; may block. Non-zero = retry later.
   */
  int (*publish_document)(void* host_ctx, const char* meta_json, size_t meta_size,
                          const uint8_t* content, size_t content_size, char* err, size_t err_size);

  /**
   * Look up the organisation directory. `query_json` is one of
   *   {"unit_id":"boligkontor"}   answer {"id","name","parent"}
   *   {"user_id":"leder-nav"}     answer {"id","display_name","units":[...],"roles":[...]}
   *   {"leaders_of":"nav"}        answer [ user, ... ] (users with role unit_leader in it)
   * written as JSON through `sink`. An unknown id is answered with `null` and return 0:
   * "not found" is an answer, not a failure worth retrying. A user may carry an "email"
   * (ABI 1.1 and later), which the plugin's own mail adapter uses when it is configured.
   * The host calls `sink` zero or more times on the calling thread, before returning; the
   * bytes are the host's and valid only during that call. Called on request paths: answer
   * from memory or a cache, without blocking for long.
   */
  int (*directory_lookup)(void* host_ctx, const char* query_json, size_t query_size,
                          boligflyt_sink_fn sink, void* sink_ctx, char* err, size_t err_size);

  /**
   * ABI 1.1 and later. Mirror an avvik into the host's own avvik register, keyed by the
   * plugin's id. `json` is an object:
   * {"id":"AVVIK-2026-0001","revision":3,"status":"mottatt","procedure_id":"...",
   *  "procedure_version":"3.1","step_id":"...","responsible_unit":"...",
   *  "reporting_unit":"...","category":"...","severity":"...","incident_date":"YYYY-MM-DD",
   *  "receive_due":"...Z","close_due":"...Z","link":"/api/v1/deviations/AVVIK-2026-0001",
   *  "key":"<idempotency key>"}
   * without free text or personal data. The plugin sends it when the avvik is registered and
   * after every change; the host keeps the newest revision per id (an older revision arriving
   * late is ignored) and must treat a repeated `key` as done. Returns 0 when recorded;
   * non-zero = retry later (the plugin keeps it in its outbox). Called from the outbox
   * thread; may block. NULL, or a host table of ABI 1.0 without it: nothing is mirrored and
   * the plugin logs that once at create().
   */
  int (*mirror_deviation)(void* host_ctx, const char* json, size_t json_size, char* err,
                          size_t err_size);

  /**
   * ABI 1.2 and later. Deliver several notifications in one call, so that the host can make
   * them durable together (one write and one fsync instead of one per notification).
   * `notifications[i]`, for i < count (count >= 1), is one JSON object exactly as notify()
   * receives it, with the same `key` rule (a key may arrive again after a retry: deliver it
   * once). The host fills `results[i]`: 0 when it accepted notification i (kept as durably
   * as notify() keeps one before it returns), non-zero when that one should be tried again
   * later. It returns 0 when it filled `results`; non-zero means that it accepted none of
   * them (the plugin ignores `results` and retries them all), with the reason in `err`.
   * The array, the strings and `results` are the plugin's and valid only during the call.
   * Called from the outbox thread with at most a few hundred notifications; may block (keep
   * the whole call under a minute). NULL, or a host table of ABI 1.1 or older without it:
   * the plugin calls notify() once per notification instead.
   */
  int (*notify_batch)(void* host_ctx, const boligflyt_str* notifications, size_t count,
                      int* results, char* err, size_t err_size);
} boligflyt_host_services;

/**
 * The user on whose behalf a request is made, as authenticated by the host. The host
 * authenticates; the plugin authorises from user id, units and roles.
 */
typedef struct boligflyt_principal {
  size_t struct_size;
  boligflyt_str user_id;
  boligflyt_str display_name;
  const boligflyt_str* units; /**< ids of the org units the user belongs to */
  size_t unit_count;
  const boligflyt_str* roles; /**< e.g. "unit_leader", "procedure_owner", "approver",
                                   "quality_leader" */
  size_t role_count;
} boligflyt_principal;

/** An HTTP request, already parsed by the host. All memory belongs to the host. */
typedef struct boligflyt_request {
  size_t struct_size;
  boligflyt_str method; /**< "GET", "POST", ... */
  boligflyt_str path;   /**< "/api/v1/...", percent-encoded as received, without query */
  boligflyt_str query;  /**< raw query string without '?', may be empty */
  const boligflyt_header* headers;
  size_t header_count;
  boligflyt_str body;
  /** NULL for an unauthenticated request (only /healthz answers those). */
  const boligflyt_principal* principal;
} boligflyt_request;

/**
 * An HTTP response. Owned by the plugin: allocated by dispatch(), released by the host
 * with response_free() exactly once. All pointers inside stay valid until then.
 */
typedef struct boligflyt_response {
  size_t struct_size;
  int status; /**< HTTP status code */
  boligflyt_str content_type;
  const boligflyt_header* headers; /**< additional headers (ETag, Location, ...) */
  size_t header_count;
  boligflyt_str body;
} boligflyt_response;

/** An opaque plugin instance. */
typedef struct boligflyt_instance boligflyt_instance;

/**
 * The plugin's function table, returned by boligflyt_plugin_entry; static, never freed, owned
 * by the plugin and valid until the host dlclose()s it. `abi_minor` is the minor version the
 * plugin speaks with this host (see the rules at the top).
 */
typedef struct boligflyt_plugin_api {
  size_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* plugin_name;    /**< NUL-terminated, static */
  const char* plugin_version; /**< NUL-terminated, static */
  const char* manifest_json;  /**< NUL-terminated, static; the same JSON as the manifest file */

  /**
   * Create an instance from a JSON configuration (see packaging/config/plugin-config.md).
   * `services` must not be NULL, but each of its function pointers may be; the plugin copies
   * the entries it knows (up to the table's struct_size) at create(); what host_ctx points
   * to must stay valid until destroy() returns. config_json stays the host's.
   * Blocks while the store opens and migrates (seconds); call it from a start-up thread.
   */
  boligflyt_status (*create)(const boligflyt_host_services* services, const char* config_json,
                             size_t config_size, boligflyt_instance** out_instance, char* err,
                             size_t err_size);

  /**
   * Handle one request. On BOLIGFLYT_OK, *out_response is set and must be released with
   * response_free(). Thread-safe. Even errors of the request itself (unknown route, bad
   * JSON, ...) return BOLIGFLYT_OK with a problem+json response; a non-OK status means the
   * call itself was unusable (NULL pointers, shutting down, internal failure). The request
   * stays the host's; the plugin copies what it needs before returning. Blocks for the
   * store's work (milliseconds, more under write contention); never on the network.
   */
  boligflyt_status (*dispatch)(boligflyt_instance* instance, const boligflyt_request* request,
                               boligflyt_response** out_response, char* err, size_t err_size);

  /** Release a response from dispatch(), from any thread. NULL is allowed. Never blocks. */
  void (*response_free)(boligflyt_response* response);

  /**
   * Stop every thread of the instance, flush and close its store, release it. Must be the
   * last call on the instance and must not race with dispatch(). Blocks until the
   * background threads have stopped (an outbox delivery in progress is finished first).
   */
  boligflyt_status (*destroy)(boligflyt_instance* instance, char* err, size_t err_size);
} boligflyt_plugin_api;

/**
 * The plugin's only exported symbol. Negotiates the ABI and returns the function table.
 *
 * @param host_abi_major  BOLIGFLYT_ABI_MAJOR as the host was compiled with
 * @param host_abi_minor  BOLIGFLYT_ABI_MINOR as the host was compiled with
 * @param out_api         receives a pointer to the static function table
 */
BOLIGFLYT_EXPORT boligflyt_status boligflyt_plugin_entry(uint32_t host_abi_major,
                                                         uint32_t host_abi_minor,
                                                         const boligflyt_plugin_api** out_api,
                                                         char* err, size_t err_size);

typedef boligflyt_status (*boligflyt_plugin_entry_fn)(uint32_t, uint32_t,
                                                      const boligflyt_plugin_api**, char*, size_t);

/* The smallest struct_size a reader accepts: each struct as ABI 1.0 defined it. A larger
   struct (a newer minor) is fine; the reader ignores what it does not know. */
#define BOLIGFLYT_HOST_SERVICES_SIZE_1_0 \
  BOLIGFLYT_SIZE_THROUGH(boligflyt_host_services, directory_lookup)
#define BOLIGFLYT_PRINCIPAL_SIZE_1_0 BOLIGFLYT_SIZE_THROUGH(boligflyt_principal, role_count)
#define BOLIGFLYT_REQUEST_SIZE_1_0 BOLIGFLYT_SIZE_THROUGH(boligflyt_request, principal)
#define BOLIGFLYT_RESPONSE_SIZE_1_0 BOLIGFLYT_SIZE_THROUGH(boligflyt_response, body)
#define BOLIGFLYT_PLUGIN_API_SIZE_1_0 BOLIGFLYT_SIZE_THROUGH(boligflyt_plugin_api, destroy)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BOLIGFLYT_PLUGIN_ABI_H */
