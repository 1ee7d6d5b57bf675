#pragma once
// Sends one message over SMTP with Poco::Net: EHLO, STARTTLS when the server offers it, AUTH
// when a user is configured (refused over a plain connection to another machine), then the
// message. Blocks on the network (the outbox thread calls it, never a request).

#include <string>
#include <vector>

#include "core/result.h"
#include "smtp/smtp_settings.h"

namespace boligflyt::adapters {

struct Mail {
  std::vector<std::string> to;
  std::string subject;     // UTF-8
  std::string body;        // UTF-8 plain text
  std::string message_id;  // without <>, stable per message so a mailbox can spot a repeat
};

/// An error means "not sent now" (server down, refused, timed out): keep and retry. Its log
/// message says why, without the password.
Result<void> send_mail(const SmtpSettings& settings, const Mail& mail);

}  // namespace boligflyt::adapters
