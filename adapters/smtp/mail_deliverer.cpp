#include "smtp/mail_deliverer.h"

#include <algorithm>
#include <boost/json.hpp>

#include "smtp/smtp_mailer.h"

namespace boligflyt::adapters {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The page for an API link: people open /avvik/<id> and the version on the Revisjon page
// (where they answer a høring and confirm reading), not the JSON.
std::string page_link(const std::string& base, const std::string& link) {
  static constexpr std::string_view kDeviations = "/api/v1/deviations/";
  static constexpr std::string_view kProcedures = "/api/v1/procedures/";
  static constexpr std::string_view kVersions = "/versions/";
  if (link.starts_with(kDeviations)) return base + "/avvik/" + link.substr(kDeviations.size());
  if (const auto at = link.find(kVersions);
      link.starts_with(kProcedures) && at != std::string::npos) {
    return base + "/revisjon?versjon=" + link.substr(at + kVersions.size());
  }
  return base + (link.starts_with('/') ? link : "/" + link);
}

// A Message-ID from the dedupe key: only characters a msg-id allows.
std::string message_id(const std::string& key) {
  std::string id;
  for (char c : key) {
    id += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.') ? c : '.';
  }
  return id + "@boligflyt";
}

class MailDeliverer final : public outbox::Deliverer {
 public:
  MailDeliverer(SmtpSettings settings, ports::Directory& directory, const Logger& logger)
      : settings_(std::move(settings)), directory_(directory), logger_(logger) {}

  // outbox::Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override {
    boost::system::error_code ec;
    const json::value payload = json::parse(message.payload_json, ec);
    if (ec || !payload.is_object()) {
      return make_error(ErrorKind::kInternal, "mail-payload", "Ugyldig e-post",
                        "E-posten i utboksen kan ikke leses.", {}, "mail payload is not JSON");
    }
    const json::object& p = payload.as_object();
    Mail mail;
    mail.to = addresses(p);
    if (mail.to.empty()) {
      // Nobody to write to is not a failure a retry mends; the notification itself went to
      // the host.
      logger_.info("mail_without_recipient", {{"key", message.dedupe_key}});
      return {};
    }
    mail.subject = text_of(p, "subject");
    mail.body = text_of(p, "body") + "\n\nÅpne i kvalitetssystemet: " +
                page_link(settings_.link_base, text_of(p, "link")) +
                "\n\n-- \nSendt automatisk av boligflyt i kvalitetssystemet. E-posten inneholder "
                "ikke hva som er meldt; det ser du når du logger inn.\n";
    mail.message_id = message_id(message.dedupe_key);
    return send_mail(settings_, mail);
  }
  std::string failure_text(const Error& error) const override {
    return error.log_message.empty() ? error.detail : error.log_message;
  }

 private:
  std::vector<std::string> addresses(const json::object& p) const {
    std::vector<std::string> out;
    const auto* r = p.if_contains("recipient");
    if (r == nullptr || !r->is_object()) return out;
    const auto& recipient = r->as_object();
    const std::string user = text_of(recipient, "user_id");
    const std::string unit = text_of(recipient, "unit_id");
    const std::string role = text_of(recipient, "role");
    std::vector<ports::DirectoryPerson> people;
    if (!user.empty()) {
      if (auto person = directory_.person(user)) people.push_back(std::move(*person));
    } else if (!unit.empty() && role == "unit_leader") {
      people = directory_.leaders_of(unit);
    }
    // A role without a unit (the quality leader) has no directory query: the host's own
    // notification reaches them.
    for (const auto& person : people) {
      if (!person.email.empty() && std::find(out.begin(), out.end(), person.email) == out.end()) {
        out.push_back(person.email);
      }
    }
    return out;
  }

  SmtpSettings settings_;
  ports::Directory& directory_;
  const Logger& logger_;
};

}  // namespace

std::unique_ptr<outbox::Deliverer> make_mail_deliverer(SmtpSettings settings,
                                                       ports::Directory& directory,
                                                       const Logger& logger) {
  return std::make_unique<MailDeliverer>(std::move(settings), directory, logger);
}

}  // namespace boligflyt::adapters
