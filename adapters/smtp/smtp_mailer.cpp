#include "smtp/smtp_mailer.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Timespan.h>

namespace boligflyt::adapters {
namespace {

bool is_loopback(const std::string& server) {
  return server == "localhost" || server == "::1" || server.starts_with("127.");
}

Error not_sent(const std::string& why) {
  return make_error(ErrorKind::kUnavailable, "mail-not-sent", "E-post ikke sendt",
                    "E-posten kunne ikke sendes nå og blir forsøkt på nytt.", {}, "smtp: " + why);
}

}  // namespace

Result<void> send_mail(const SmtpSettings& settings, const Mail& mail) {
  using Poco::Net::MailMessage;
  try {
    Poco::Net::SecureSMTPClientSession session(settings.server,
                                               static_cast<Poco::UInt16>(settings.port));
    session.setTimeout(Poco::Timespan(settings.timeout_seconds, 0));
    session.login();  // EHLO
    // STARTTLS when the server takes it; the certificate is checked against the system's CAs.
    const Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
    const bool secure = session.startTLS(context);
    if (!settings.user.empty()) {
      // A password in clear text crosses the network only to this machine itself.
      if (!secure && !is_loopback(settings.server)) {
        session.close();
        return not_sent("the server offers no STARTTLS; AUTH is not sent in clear text");
      }
      session.login(Poco::Net::SMTPClientSession::AUTH_PLAIN, settings.user, settings.password);
    } else if (secure) {
      session.login();  // EHLO again over TLS, as RFC 3207 asks
    }
    MailMessage message;
    message.setSender(settings.from);
    for (const auto& to : mail.to) {
      message.addRecipient(
          Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
    }
    message.setSubject(MailMessage::encodeWord(mail.subject, "UTF-8"));
    message.set("Message-ID", "<" + mail.message_id + ">");
    message.setContentType("text/plain; charset=UTF-8");
    message.setContent(mail.body, MailMessage::ENCODING_8BIT);
    session.sendMessage(message);
    session.close();
    return {};
  } catch (const Poco::Exception& e) {
    return not_sent(e.displayText());
  } catch (const std::exception& e) {
    return not_sent(e.what());
  }
}

}  // namespace boligflyt::adapters
