#include "procedure/xml_validation.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <pugixml.hpp>
#include <stdexcept>

#include "util/utf8.h"

namespace boligflyt::procedure {
namespace {

// No DTD loading, no entity substitution, no network: external entities and entity
// expansion bombs have nothing to work with. XML_PARSE_HUGE is deliberately absent so
// libxml2 keeps its depth and size limits.
constexpr int kParseOptions =
    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

std::string trim_message(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct ErrorCollector {
  const std::string* file;
  Diagnostics* out;
  bool any = false;
};

void collect_structured_error(void* user, xmlErrorPtr error) {
  auto* collector = static_cast<ErrorCollector*>(user);
  if (!error || error->level == XML_ERR_WARNING) return;
  collector->any = true;
  Diagnostic d;
  d.file = *collector->file;
  d.line = error->line > 0 ? static_cast<std::size_t>(error->line) : 0;
  d.column = error->int2 > 0 ? static_cast<std::size_t>(error->int2) : 0;
  d.code = error->domain == XML_FROM_SCHEMASV ? "xsd" : "xml";
  // libxml2's messages are English; they are precise, so keep them after a Norwegian lead.
  d.message = (error->domain == XML_FROM_SCHEMASV ? "Brudd på skjemaet (XSD): " : "Ugyldig XML: ") +
              trim_message(error->message);
  collector->out->push_back(std::move(d));
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line) {
    out += ":" + std::to_string(d.line);
    if (d.column) out += ":" + std::to_string(d.column);
  }
  return out + ": " + d.message + " [" + d.code + "]";
}

bool check_xml_intake(std::string_view xml, const std::string& file, Diagnostics& out,
                      pugi::xml_document& doc) {
  if (xml.size() > kMaxXmlBytes) {
    out.push_back({file, 0, 0, "too-large",
                   "Filen er på " + std::to_string(xml.size()) + " byte; grensen er " +
                       std::to_string(kMaxXmlBytes) + " byte."});
    return false;
  }
  if (auto bad = util::find_invalid_utf8(xml)) {
    const auto pos = util::position_of(xml, *bad);
    out.push_back({file, pos.line, pos.column, "invalid-utf8",
                   "Filen er ikke gyldig UTF-8 (byte " + std::to_string(*bad) + ")."});
    return false;
  }
  // pugixml never expands entities beyond the predefined five; asking it to keep the
  // DOCTYPE node lets us find and refuse one without any DTD processing.
  const auto result = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!result) {
    const auto pos = util::position_of(xml, static_cast<std::size_t>(result.offset));
    out.push_back({file, pos.line, pos.column, "malformed-xml",
                   std::string("Filen er ikke velformet XML: ") + result.description() + "."});
    return false;
  }
  for (auto node : doc.children()) {
    if (node.type() == pugi::node_doctype) {
      const auto pos = util::position_of(xml, static_cast<std::size_t>(node.offset_debug()));
      out.push_back({file, pos.line, pos.column, "doctype-forbidden",
                     "DOCTYPE og entiteter er ikke tillatt i prosedyrefiler."});
      return false;
    }
  }
  return true;
}

struct XsdValidator::Impl {
  xmlSchemaPtr schema = nullptr;
};

XsdValidator::XsdValidator(const std::string& xsd_path) : impl_(std::make_unique<Impl>()) {
  xmlInitParser();
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd_path.c_str());
  if (!parser) throw std::runtime_error("cannot read XSD " + xsd_path);
  impl_->schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (!impl_->schema) throw std::runtime_error("XSD does not compile: " + xsd_path);
}

XsdValidator::XsdValidator(std::string_view xsd_text, const std::string& name)
    : impl_(std::make_unique<Impl>()) {
  xmlInitParser();
  xmlSchemaParserCtxtPtr parser =
      xmlSchemaNewMemParserCtxt(xsd_text.data(), static_cast<int>(xsd_text.size()));
  if (!parser) throw std::runtime_error("cannot read XSD " + name);
  impl_->schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  if (!impl_->schema) throw std::runtime_error("XSD does not compile: " + name);
}

XsdValidator::~XsdValidator() {
  if (impl_->schema) xmlSchemaFree(impl_->schema);
}

bool XsdValidator::validate(std::string_view xml, const std::string& file, Diagnostics& out) const {
  ErrorCollector collector{&file, &out};
  xmlParserCtxtPtr parser = xmlNewParserCtxt();
  if (!parser) throw std::bad_alloc();
  xmlDocPtr doc = xmlCtxtReadMemory(parser, xml.data(), static_cast<int>(xml.size()), file.c_str(),
                                    "UTF-8", kParseOptions);
  if (!doc) {
    collect_structured_error(&collector, xmlCtxtGetLastError(parser));
    if (!collector.any) out.push_back({file, 0, 0, "xml", "Ugyldig XML."});
    xmlFreeParserCtxt(parser);
    return false;
  }
  xmlFreeParserCtxt(parser);

  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(impl_->schema);
  if (!context) {
    xmlFreeDoc(doc);
    throw std::bad_alloc();
  }
  xmlSchemaSetValidStructuredErrors(context, collect_structured_error, &collector);
  const int rc = xmlSchemaValidateDoc(context, doc);
  xmlSchemaFreeValidCtxt(context);
  xmlFreeDoc(doc);
  if (rc != 0 && !collector.any) {
    out.push_back({file, 0, 0, "xsd", "Filen følger ikke skjemaet (XSD)."});
  }
  return rc == 0;
}

}  // namespace boligflyt::procedure
