#pragma once
// The deliverer of the outbox topic "mail": one e-mail per notification to the people the
// notification names, their addresses from the host's directory (ABI 1.1 "email"). The
// message is the notification's own subject and text (id, step, unit, category, deadline:
// never the avvik's free text or a person) with a link to the page. A message not sent stays
// in the outbox and is retried; a recipient without an address is logged, not retried.

#include <memory>
#include <string>
#include <string_view>

#include "observability/logger.h"
#include "outbox/relay.h"
#include "ports/directory.h"
#include "ports/store/store.h"
#include "smtp/smtp_settings.h"

namespace boligflyt::adapters {

/// The factory of the deliverer of outbox::kMailTopic. `directory` and `logger` must outlive the
/// deliverer.
std::unique_ptr<outbox::Deliverer> make_mail_deliverer(SmtpSettings settings,
                                                       ports::Directory& directory,
                                                       const Logger& logger);

}  // namespace boligflyt::adapters
