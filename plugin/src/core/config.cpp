#include "core/config.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/json_body.h"
#include "deviation/categories.h"
#include "procedure/iso_duration.h"

namespace boligflyt {
namespace {

Error config_error(std::string field, std::string detail) {
  return make_error(ErrorKind::kBadRequest, "invalid-config", "Ugyldig konfigurasjon",
                    std::move(detail), std::move(field));
}

/// deviations.data_protection_officer: exactly one of "user" and "unit", a non-empty id.
Result<void> parse_privacy_officer(const boost::json::value& value, PluginConfig& config) {
  const std::string field = "deviations.data_protection_officer";
  const auto* o = value.if_object();
  if (o == nullptr || o->size() != 1) {
    return config_error(field, "«" + field +
                                   "» må være et objekt med enten «user» eller «unit», for "
                                   "eksempel {\"user\": \"personvernombud\"}.");
  }
  const auto& [key, id] = *o->begin();
  if ((key != "user" && key != "unit") || !id.is_string() || id.as_string().empty()) {
    return config_error(field + "." + std::string(key),
                        "«" + field + "» må ha «user» eller «unit» med en id som tekst.");
  }
  (key == "user" ? config.deviation_privacy_officer_user : config.deviation_privacy_officer_unit) =
      id.as_string();
  return {};
}

/// development: {"clock_offset_seconds": 0 … 10 years}.
Result<void> parse_development(const boost::json::value& value, PluginConfig& config) {
  if (!value.is_object()) return config_error("development", "«development» må være et objekt.");
  for (const auto& [key, v] : value.as_object()) {
    const std::string field = "development." + std::string(key);
    if (key != "clock_offset_seconds") {
      return config_error(field, "Ukjent nøkkel «" + field + "».");
    }
    if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > 10LL * 366 * 86400) {
      return config_error(field, "«" + field + "» må være et heltall fra 0 til 316224000.");
    }
    config.development_clock_offset_seconds = v.as_int64();
  }
  return {};
}

/// [{"code": "rutine_mangler", "label": "Rutinen mangler eller er uklar"}, …]: 1–50 entries,
/// codes unique and of deviation::is_cause_code_syntax, labels 1–100 characters.
Result<std::vector<std::pair<std::string, std::string>>> parse_cause_codes(
    const boost::json::value& value) {
  const std::string shape =
      "«cause_codes» må være en liste med 1–50 objekter med «code» (små bokstaver, sifre og "
      "understrek, for eksempel «rutine_mangler») og «label» (1–100 tegn).";
  if (!value.is_array() || value.as_array().empty() || value.as_array().size() > 50) {
    return config_error("cause_codes", shape);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < value.as_array().size(); ++i) {
    const auto& entry = value.as_array()[i];
    const std::string field = "cause_codes/" + std::to_string(i);
    const auto* obj = entry.if_object();
    const auto* code = obj ? obj->if_contains("code") : nullptr;
    const auto* label = obj ? obj->if_contains("label") : nullptr;
    if (!obj || obj->size() != 2 || !code || !label || !code->is_string() || !label->is_string() ||
        !deviation::is_cause_code_syntax(code->as_string()) || label->as_string().empty() ||
        label->as_string().size() > 400) {
      return config_error(field, shape);
    }
    for (const auto& [known, unused] : out) {
      if (known == code->as_string()) {
        return config_error(field, "Årsakskoden «" + known + "» står to ganger i «cause_codes».");
      }
    }
    out.emplace_back(std::string(code->as_string()), std::string(label->as_string()));
  }
  return out;
}

}  // namespace

Result<PluginConfig> parse_plugin_config(std::string_view json) {
  auto parsed = api::parse_json_text(json, "konfigurasjonen");
  if (!parsed) {
    auto error = parsed.error();
    error.slug = "invalid-config";
    error.title = "Ugyldig konfigurasjon";
    return error;
  }
  if (!parsed->is_object()) return config_error("", "Konfigurasjonen må være et JSON-objekt.");
  const auto& root = parsed->as_object();
  PluginConfig config;
  bool attachment_limit_set = false;

  for (const auto& [key, value] : root) {
    if (key == "data_dir") {
      if (!value.is_string() || value.as_string().empty() || value.as_string()[0] != '/') {
        return config_error("data_dir", "«data_dir» må være en absolutt sti.");
      }
      config.data_dir = value.as_string();
    } else if (key == "procedures_dir") {
      if (!value.is_string())
        return config_error("procedures_dir", "«procedures_dir» må være tekst.");
      config.procedures_dir = value.as_string();
    } else if (key == "schema_file") {
      if (!value.is_string()) return config_error("schema_file", "«schema_file» må være tekst.");
      config.schema_file = value.as_string();
    } else if (key == "store") {
      if (!value.is_object()) return config_error("store", "«store» må være et objekt.");
      for (const auto& [skey, svalue] : value.as_object()) {
        if (skey == "kind") {
          if (!svalue.is_string() ||
              (svalue.as_string() != "sqlite" && svalue.as_string() != "postgresql")) {
            return config_error("store.kind", "«store.kind» må være «sqlite» eller «postgresql».");
          }
          config.store_kind = svalue.as_string();
        } else if (skey == "connection") {
          if (!svalue.is_string() || svalue.as_string().empty())
            return config_error("store.connection", "«store.connection» må være tekst.");
          config.store_connection = svalue.as_string();
        } else {
          return config_error("store." + std::string(skey),
                              "Ukjent nøkkel «store." + std::string(skey) + "».");
        }
      }
      if (config.store_kind == "postgresql" && config.store_connection.empty()) {
        return config_error("store.connection",
                            "«store.connection» mangler: PostgreSQL trenger en "
                            "tilkoblingsstreng.");
      }
    } else if (key == "limits") {
      if (!value.is_object()) return config_error("limits", "«limits» må være et objekt.");
      for (const auto& [lkey, lvalue] : value.as_object()) {
        if (lkey != "max_body_bytes")
          return config_error("limits." + std::string(lkey),
                              "Ukjent nøkkel «limits." + std::string(lkey) + "».");
        if (!lvalue.is_int64() || lvalue.as_int64() < 1024 || lvalue.as_int64() > (256LL << 20)) {
          return config_error("limits.max_body_bytes",
                              "«limits.max_body_bytes» må være et heltall mellom 1024 og "
                              "268435456.");
        }
        config.max_body_bytes = static_cast<std::size_t>(lvalue.as_int64());
      }
    } else if (key == "deviations") {
      if (!value.is_object()) return config_error("deviations", "«deviations» må være et objekt.");
      for (const auto& [dkey, dvalue] : value.as_object()) {
        const std::string field = "deviations." + std::string(dkey);
        if (dkey == "data_protection_officer") {
          auto officer = parse_privacy_officer(dvalue, config);
          if (!officer) return officer.error();
          continue;
        }
        std::string* target = dkey == "receive_within"   ? &config.deviation_receive_within
                              : dkey == "close_within"   ? &config.deviation_close_within
                              : dkey == "escalate_after" ? &config.deviation_escalate_after
                                                         : nullptr;
        if (target == nullptr) return config_error(field, "Ukjent nøkkel «" + field + "».");
        const auto parsed_duration =
            dvalue.is_string() ? procedure::parse_iso_duration(std::string_view(dvalue.as_string()))
                               : std::nullopt;
        if (!parsed_duration || parsed_duration->approximate_days() <= 0) {
          return config_error(field, "«" + field +
                                         "» må være en ISO 8601-varighet, for eksempel «P3D» "
                                         "eller «P2W».");
        }
        *target = dvalue.as_string();
      }
    } else if (key == "notifications") {
      if (!value.is_object())
        return config_error("notifications", "«notifications» må være et objekt.");
      for (const auto& [nkey, nvalue] : value.as_object()) {
        const std::string field = "notifications." + std::string(nkey);
        int* target = nkey == "first_retry_seconds" ? &config.notification_first_retry_seconds
                      : nkey == "max_retry_seconds" ? &config.notification_max_retry_seconds
                      : nkey == "max_attempts"      ? &config.notification_max_attempts
                                                    : nullptr;
        if (target == nullptr) return config_error(field, "Ukjent nøkkel «" + field + "».");
        if (!nvalue.is_int64() || nvalue.as_int64() < 1 || nvalue.as_int64() > 7 * 86400) {
          return config_error(field, "«" + field + "» må være et heltall mellom 1 og 604800.");
        }
        *target = static_cast<int>(nvalue.as_int64());
      }
    } else if (key == "archive") {
      if (!value.is_object()) return config_error("archive", "«archive» må være et objekt.");
      for (const auto& [akey, avalue] : value.as_object()) {
        const std::string field = "archive." + std::string(akey);
        if (akey == "enabled" || akey == "export_on_register") {
          if (!avalue.is_bool())
            return config_error(field, "«" + field + "» må være true eller false.");
          (akey == "enabled" ? config.archive_enabled : config.archive_export_on_register) =
              avalue.as_bool();
          continue;
        }
        std::string* target =
            akey == "protocol"                ? &config.archive_protocol
            : akey == "package"               ? &config.archive_package
            : akey == "drop_dir"              ? &config.archive_drop_dir
            : akey == "inbox_dir"             ? &config.archive_inbox_dir
            : akey == "schemas_dir"           ? &config.archive_schemas_dir
            : akey == "journalposttype"       ? &config.archive_journalposttype
            : akey == "fagsystem"             ? &config.archive_fagsystem
            : akey == "classification_system" ? &config.archive_classification_system
            : akey == "classification_class"  ? &config.archive_classification_class
                                              : nullptr;
        if (target == nullptr) return config_error(field, "Ukjent nøkkel «" + field + "».");
        if (!avalue.is_string()) return config_error(field, "«" + field + "» må være tekst.");
        *target = avalue.as_string();
      }
      if (config.archive_protocol != "v1" && config.archive_protocol != "v2") {
        return config_error("archive.protocol", "«archive.protocol» må være «v1» eller «v2».");
      }
      if (config.archive_package != "folder" && config.archive_package != "asice") {
        return config_error("archive.package", "«archive.package» må være «folder» eller «asice».");
      }
      if (config.archive_journalposttype != "N" && config.archive_journalposttype != "X") {
        return config_error("archive.journalposttype",
                            "«archive.journalposttype» må være «N» eller «X».");
      }
      for (const auto& [field, path] : {std::pair<const char*, const std::string*>{
                                            "archive.drop_dir", &config.archive_drop_dir},
                                        {"archive.inbox_dir", &config.archive_inbox_dir},
                                        {"archive.schemas_dir", &config.archive_schemas_dir}}) {
        if (!path->empty() && path->front() != '/') {
          return config_error(field, "«" + std::string(field) + "» må være en absolutt sti.");
        }
      }
      if (config.archive_fagsystem.empty() || config.archive_fagsystem.size() > 100) {
        return config_error("archive.fagsystem", "«archive.fagsystem» må ha 1–100 tegn.");
      }
      if (config.archive_classification_system.empty() !=
          config.archive_classification_class.empty()) {
        return config_error("archive.classification_class",
                            "«archive.classification_system» og «archive.classification_class» "
                            "må settes sammen.");
      }
    } else if (key == "development") {
      auto development = parse_development(value, config);
      if (!development) return development.error();
    } else if (key == "log_level") {
      const std::string_view level = value.is_string() ? std::string_view(value.as_string()) : "";
      if (level == "debug") config.log_level = LogLevel::kDebug;
      else if (level == "info") config.log_level = LogLevel::kInfo;
      else if (level == "warn") config.log_level = LogLevel::kWarn;
      else if (level == "error") config.log_level = LogLevel::kError;
      else return config_error("log_level", "«log_level» må være debug, info, warn eller error.");
    } else if (key == "cause_codes") {
      auto codes = parse_cause_codes(value);
      if (!codes) return codes.error();
      config.cause_codes = std::move(*codes);
    } else if (key == "maintenance_interval_ms") {
      if (!value.is_int64() || value.as_int64() < 10 || value.as_int64() > 86'400'000) {
        return config_error("maintenance_interval_ms",
                            "«maintenance_interval_ms» må være et heltall mellom 10 og 86400000.");
      }
      config.maintenance_interval_ms = static_cast<int>(value.as_int64());
    } else if (key == "attachments") {
      if (!value.is_object())
        return config_error("attachments", "«attachments» må være et objekt.");
      for (const auto& [tkey, tvalue] : value.as_object()) {
        if (tkey != "max_file_bytes") {
          return config_error("attachments." + std::string(tkey),
                              "Ukjent nøkkel «attachments." + std::string(tkey) + "».");
        }
        if (!tvalue.is_int64() || tvalue.as_int64() < 1024 || tvalue.as_int64() > (256LL << 20)) {
          return config_error("attachments.max_file_bytes",
                              "«attachments.max_file_bytes» må være et heltall mellom 1024 og "
                              "268435456.");
        }
        config.attachment_max_file_bytes = static_cast<std::size_t>(tvalue.as_int64());
        attachment_limit_set = true;
      }
    } else if (key == "mail") {
      auto mail = adapters::parse_smtp_settings(value);
      if (!mail) return mail.error();
      config.mail = std::move(*mail);
    } else if (key == "document_library") {
      auto library = adapters::parse_webdav_settings(value);
      if (!library) return library.error();
      config.document_library = std::move(*library);
    } else {
      return config_error(std::string(key), "Ukjent nøkkel «" + std::string(key) + "».");
    }
  }
  if (config.data_dir.empty()) return config_error("data_dir", "«data_dir» mangler.");
  // A file travels in one request body: a limit above the body's could never be reached, so
  // it is refused when asked for and the default follows a smaller body limit.
  if (!attachment_limit_set) {
    config.attachment_max_file_bytes =
        std::min(config.attachment_max_file_bytes, config.max_body_bytes);
  } else if (config.attachment_max_file_bytes > config.max_body_bytes) {
    return config_error("attachments.max_file_bytes",
                        "«attachments.max_file_bytes» kan ikke være større enn "
                        "«limits.max_body_bytes» (" +
                            std::to_string(config.max_body_bytes) + ").");
  }
  return config;
}

}  // namespace boligflyt
