// parse_receipt: the archive's answer to an arkivmelding (opprett), V1 and V2.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <pugixml.hpp>
#include <stdexcept>

#include "archive/arkivmelding.h"
#include "procedure/xml_validation.h"
#include "util/utf8.h"

namespace boligflyt::archive {
namespace {

// A kvittering lists a few ids per document; even a large journalpost stays far below this.
constexpr std::size_t kMaxReceiptBytes = 1024 * 1024;

constexpr std::string_view kNamespacePrefix =
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/";

enum class RootKind { kKvittering, kFeilmelding };

// The root elements we accept, by namespace path (after kNamespacePrefix and before "/vN").
struct KnownRoot {
  std::string_view namespace_path;  // e.g. "arkivmelding/opprett/kvittering"
  std::string_view element;         // e.g. "arkivmeldingKvittering"
  std::string_view xsd_stem;        // e.g. "arkivering.arkivmelding.opprett.kvittering"
  RootKind kind;
};

constexpr KnownRoot kKnownRoots[] = {
    {"arkivmelding/opprett/kvittering", "arkivmeldingKvittering",
     "arkivering.arkivmelding.opprett.kvittering", RootKind::kKvittering},
    {"feil/ugyldigforespoersel", "ugyldigforespoersel", "feilmelding.ugyldigforespoersel",
     RootKind::kFeilmelding},
    {"feil/serverfeil", "serverfeil", "feilmelding.serverfeil", RootKind::kFeilmelding},
    {"feil/ikkefunnet", "ikkefunnet", "feilmelding.ikkefunnet", RootKind::kFeilmelding},
};

Error invalid(std::string slug, std::string detail, std::string log) {
  return make_error(ErrorKind::kInvalid, std::move(slug), "Ugyldig svar fra arkivet",
                    std::move(detail), "receipt", "receipt: " + std::move(log));
}

std::string_view local_name(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// pugixml does not resolve namespaces: look the element's prefix up on it and its ancestors.
std::string namespace_of(pugi::xml_node node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  const std::string attribute =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  for (auto n = node; n; n = n.parent()) {
    if (auto a = n.attribute(attribute.c_str())) return a.value();
  }
  return {};
}

pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  }
  return {};
}

std::string child_text(pugi::xml_node parent, std::string_view name) {
  return child(parent, name).text().get();
}

bool all_digits(std::string_view text) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "YYYY/N" from two xs:int elements; empty when neither is there.
Result<std::string> year_number(pugi::xml_node parent, std::string_view year_name,
                                std::string_view number_name) {
  const auto year = child_text(parent, year_name);
  const auto number = child_text(parent, number_name);
  if (year.empty() && number.empty()) return std::string();
  if (!all_digits(year) || !all_digits(number)) {
    return invalid("invalid-receipt-number",
                   "Arkivet svarte med et ugyldig nummer (" + std::string(year_name) + "/" +
                       std::string(number_name) + ").",
                   "bad " + std::string(year_name) + "/" + std::string(number_name));
  }
  return year + "/" + number;
}

ExternalKey read_key(pugi::xml_node parent) {
  auto node = child(parent, "referanseEksternNoekkel");
  return {child_text(node, "fagsystem"), child_text(node, "noekkel")};
}

// Compiled schemas are expensive (metadatakatalog is large) and immutable once built: compile
// each file once, under the lock, and share it. Validation contexts are per call.
Result<std::shared_ptr<const procedure::XsdValidator>> schema_for(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const procedure::XsdValidator>> cache;
  const std::lock_guard lock(mutex);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return internal_error("receipt: schema file missing: " + path);
  }
  try {
    auto validator = std::make_shared<const procedure::XsdValidator>(path);
    cache.emplace(path, validator);
    return validator;
  } catch (const std::exception& e) {
    // Not cached: a fixed schema folder can be deployed without a restart.
    return internal_error(std::string("receipt: ") + e.what());
  }
}

Result<void> validate(std::string_view xml, const KnownRoot& root, Protocol protocol,
                      const std::string& schemas_dir) {
  const std::string version(protocol_name(protocol));
  const std::string path = schemas_dir + "/fiks-arkiv-" + version + "/no.ks.fiks.arkiv." + version +
                           "." + std::string(root.xsd_stem) + ".xsd";
  auto schema = schema_for(path);
  if (!schema.ok()) return schema.error();
  procedure::Diagnostics diagnostics;
  if ((*schema)->validate(xml, "kvittering.xml", diagnostics)) return {};
  std::string where;
  if (!diagnostics.empty()) {
    const auto& first = diagnostics.front();
    where = first.line ? " Linje " + std::to_string(first.line) + ": " + first.message
                       : " " + first.message;
  }
  return invalid("receipt-schema-violation",
                 "Svaret fra arkivet følger ikke skjemaet (XSD)." + where,
                 "schema violation in " + path + ":" + where);
}

Result<Receipt> read_kvittering(pugi::xml_node root, Receipt receipt) {
  const auto mappe = child(root, "mappeKvittering");
  const auto registrering = child(root, "registreringKvittering");
  const auto mappe_failed = child(root, "mappeFeilet");
  const auto registrering_failed = child(root, "registreringFeilet");

  if (mappe) {
    auto number = year_number(mappe, "saksaar", "sakssekvensnummer");
    if (!number.ok()) return number.error();
    receipt.case_number = *number;
  }
  if (registrering) {
    auto number = year_number(registrering, "journalaar", "journalsekvensnummer");
    if (!number.ok()) return number.error();
    receipt.journalpost_number = *number;
    receipt.key = read_key(registrering);
    receipt.system_id = child_text(registrering, "systemID");
  } else if (mappe) {
    receipt.key = read_key(mappe);
    receipt.system_id = child_text(mappe, "systemID");
  }

  if (const auto failed = registrering_failed ? registrering_failed : mappe_failed) {
    receipt.kind = Receipt::Kind::kFeilmelding;
    receipt.error_type = local_name(failed.name());
    receipt.error_id = child_text(failed, "feilId");
    receipt.error_message = child_text(failed, "feilmelding");
    return receipt;
  }
  if (!registrering && !mappe) {
    return invalid("empty-receipt", "Kvitteringen fra arkivet er tom.",
                   "kvittering without mappe or registrering");
  }
  if (receipt.key.fagsystem.empty() || receipt.key.key.empty()) {
    return invalid("receipt-missing-key",
                   "Kvitteringen fra arkivet mangler den eksterne nøkkelen "
                   "(referanseEksternNoekkel), så den kan ikke knyttes til en melding.",
                   "kvittering without referanseEksternNoekkel");
  }
  return receipt;
}

}  // namespace

Result<Receipt> parse_receipt(std::string_view xml, const std::optional<std::string>& schemas_dir) {
  if (xml.size() > kMaxReceiptBytes) {
    return invalid("receipt-too-large", "Svaret fra arkivet er for stort.",
                   "receipt of " + std::to_string(xml.size()) + " bytes");
  }
  if (auto bad = util::find_invalid_utf8(xml)) {
    return invalid("invalid-xml", "Svaret fra arkivet er ikke gyldig UTF-8.",
                   "invalid UTF-8 at byte " + std::to_string(*bad));
  }
  pugi::xml_document doc;
  // pugixml expands only the five predefined entities; keeping the DOCTYPE node lets us
  // refuse one without any DTD processing.
  const auto parsed = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!parsed) {
    const auto pos = util::position_of(xml, static_cast<std::size_t>(parsed.offset));
    return invalid("invalid-xml",
                   "Svaret fra arkivet er ikke velformet XML (linje " + std::to_string(pos.line) +
                       ": " + parsed.description() + ").",
                   std::string("malformed XML: ") + parsed.description());
  }
  for (auto node : doc.children()) {
    if (node.type() == pugi::node_doctype) {
      return invalid("invalid-xml",
                     "Svaret fra arkivet inneholder en DOCTYPE, som ikke er tillatt.",
                     "DOCTYPE in receipt");
    }
  }
  const auto root = doc.document_element();
  const std::string ns = namespace_of(root);
  const std::string_view element = local_name(root.name());

  const KnownRoot* known = nullptr;
  Protocol protocol = Protocol::kV1;
  if (std::string_view(ns).starts_with(kNamespacePrefix)) {
    const std::string_view rest = std::string_view(ns).substr(kNamespacePrefix.size());
    for (const auto& candidate : kKnownRoots) {
      if (candidate.element != element || !rest.starts_with(candidate.namespace_path)) continue;
      const auto version = rest.substr(candidate.namespace_path.size());
      if (version == "/v1" || version == "/v2") {
        known = &candidate;
        protocol = version == "/v1" ? Protocol::kV1 : Protocol::kV2;
      }
    }
  }
  if (!known) {
    return invalid("unknown-receipt",
                   "Svaret fra arkivet er verken en kvittering eller en feilmelding fra Fiks "
                   "Arkiv.",
                   "unknown root {" + ns + "}" + std::string(element));
  }

  if (schemas_dir) {
    if (auto valid = validate(xml, *known, protocol, *schemas_dir); !valid.ok()) {
      return valid.error();
    }
  }

  Receipt receipt;
  receipt.protocol = protocol;
  if (known->kind == RootKind::kKvittering) return read_kvittering(root, std::move(receipt));

  receipt.kind = Receipt::Kind::kFeilmelding;
  receipt.error_type = known->element;
  receipt.error_id = child_text(root, "feilId");
  receipt.error_message = child_text(root, "feilmelding");
  return receipt;
}

}  // namespace boligflyt::archive
