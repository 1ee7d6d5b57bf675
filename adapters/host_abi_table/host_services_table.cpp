#include "host_abi_table/host_services_table.h"

#include <array>
#include <vector>

namespace boligflyt::adapters {
namespace {

// Copies the host's fields into a private table so that a host compiled against an older,
// shorter struct never has us read past its end.
boligflyt_host_services copy_known_fields(const boligflyt_host_services& in) {
  boligflyt_host_services out{};
  out.struct_size = sizeof out;
  out.host_ctx = in.host_ctx;
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, log)) out.log = in.log;
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, notify)) out.notify = in.notify;
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, publish_document)) {
    out.publish_document = in.publish_document;
  }
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, directory_lookup)) {
    out.directory_lookup = in.directory_lookup;
  }
  // ABI 1.1 and later: a 1.0 host's table ends before it, and the field counts as absent.
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, mirror_deviation)) {
    out.mirror_deviation = in.mirror_deviation;
  }
  // ABI 1.2 and later: a 1.1 host's table ends before it, and notify() serves alone.
  if (BOLIGFLYT_HAS_FIELD(&in, boligflyt_host_services, notify_batch)) {
    out.notify_batch = in.notify_batch;
  }
  return out;
}

class TableHostServices final : public ports::HostServices {
 public:
  explicit TableHostServices(const boligflyt_host_services& table)
      : table_(copy_known_fields(table)) {}

  // ports::HostServices
  Result<std::optional<std::string>> directory_lookup(const std::string& query_json) override {
    if (!table_.directory_lookup) return std::optional<std::string>{};
    std::string answer;
    std::array<char, 512> err{};
    const int rc = table_.directory_lookup(
        table_.host_ctx, query_json.data(), query_json.size(),
        [](void* ctx, const char* data, size_t size) {
          if (data && size) static_cast<std::string*>(ctx)->append(data, size);
        },
        &answer, err.data(), err.size());
    if (rc != 0) {
      err.back() = '\0';
      return make_error(ErrorKind::kUnavailable, "directory-unavailable",
                        "Katalogen er ikke tilgjengelig",
                        "Organisasjonskatalogen svarte ikke. Prøv igjen om litt.", {},
                        std::string("host directory_lookup failed: ") + err.data());
    }
    if (answer.empty()) return std::optional<std::string>{};
    return std::optional<std::string>{std::move(answer)};
  }

  Result<void> notify(const std::string& notification_json) override {
    if (!table_.notify) {
      return make_error(ErrorKind::kUnavailable, "notify-unavailable", "Varsling ikke mulig nå",
                        "Varselet kunne ikke leveres nå og blir forsøkt på nytt.", {},
                        "host has no notify service");
    }
    std::array<char, 512> err{};
    if (table_.notify(table_.host_ctx, notification_json.data(), notification_json.size(),
                      err.data(), err.size()) != 0) {
      err.back() = '\0';
      return make_error(ErrorKind::kUnavailable, "notify-failed", "Varsling ikke mulig nå",
                        "Varselet kunne ikke leveres nå og blir forsøkt på nytt.", {},
                        std::string("host notify failed: ") + err.data());
    }
    return {};
  }

  std::vector<Result<void>> notify_batch(
      const std::vector<const std::string*>& notifications) override {
    if (!table_.notify_batch || notifications.empty()) {
      return ports::HostServices::notify_batch(notifications);
    }
    std::vector<boligflyt_str> items;
    items.reserve(notifications.size());
    for (const std::string* json : notifications) items.push_back({json->data(), json->size()});
    // Non-zero until the host says otherwise: a host that skips an entry has not accepted it.
    std::vector<int> results(items.size(), 1);
    std::array<char, 512> err{};
    if (table_.notify_batch(table_.host_ctx, items.data(), items.size(), results.data(), err.data(),
                            err.size()) != 0) {
      err.back() = '\0';
      return std::vector<Result<void>>(
          items.size(), Result<void>(make_error(
                            ErrorKind::kUnavailable, "notify-failed", "Varsling ikke mulig nå",
                            "Varselet kunne ikke leveres nå og blir forsøkt på nytt.", {},
                            std::string("host notify_batch failed: ") + err.data())));
    }
    std::vector<Result<void>> out;
    out.reserve(items.size());
    for (const int result : results) {
      if (result == 0) {
        out.emplace_back();
      } else {
        out.emplace_back(make_error(ErrorKind::kUnavailable, "notify-failed",
                                    "Varsling ikke mulig nå",
                                    "Varselet kunne ikke leveres nå og blir forsøkt på nytt.", {},
                                    "host notify_batch refused this notification"));
      }
    }
    return out;
  }

  Result<void> publish_document(const std::string& meta_json, std::string_view content) override {
    if (!table_.publish_document) {
      return make_error(ErrorKind::kUnavailable, "document-library-unavailable",
                        "Dokumentbiblioteket er ikke tilgjengelig",
                        "Vertssystemet har ikke noe dokumentbibliotek.", {},
                        "host has no publish_document service");
    }
    std::array<char, 512> err{};
    if (table_.publish_document(table_.host_ctx, meta_json.data(), meta_json.size(),
                                reinterpret_cast<const uint8_t*>(content.data()), content.size(),
                                err.data(), err.size()) != 0) {
      err.back() = '\0';
      return make_error(ErrorKind::kUnavailable, "document-library-failed",
                        "Dokumentet ble ikke lagt i dokumentbiblioteket",
                        "Dokumentbiblioteket tok ikke imot dokumentet nå.", {},
                        std::string("host publish_document failed: ") + err.data());
    }
    return {};
  }

  bool can_notify() const override { return table_.notify != nullptr; }

  bool can_mirror_deviations() const override { return table_.mirror_deviation != nullptr; }

  Result<void> mirror_deviation(const std::string& json) override {
    if (!table_.mirror_deviation) return ports::HostServices::mirror_deviation(json);
    std::array<char, 512> err{};
    if (table_.mirror_deviation(table_.host_ctx, json.data(), json.size(), err.data(),
                                err.size()) != 0) {
      err.back() = '\0';
      return make_error(ErrorKind::kUnavailable, "mirror-failed",
                        "Vertssystemets avviksregister tok ikke imot avviket",
                        "Avviket kunne ikke speiles nå og blir forsøkt på nytt.", {},
                        std::string("host mirror_deviation failed: ") + err.data());
    }
    return {};
  }

 private:
  boligflyt_host_services table_;
};

}  // namespace

std::unique_ptr<ports::HostServices> make_table_host_services(
    const boligflyt_host_services& table) {
  return std::make_unique<TableHostServices>(table);
}

LogSink make_table_log_sink(const boligflyt_host_services& table) {
  const auto copy = copy_known_fields(table);
  if (!copy.log) return Logger::stderr_sink();
  return [copy](LogLevel level, std::string_view line) {
    copy.log(copy.host_ctx, static_cast<boligflyt_log_level>(level), line.data(), line.size());
  };
}

}  // namespace boligflyt::adapters
