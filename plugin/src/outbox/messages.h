#pragma once
// The messages services put in the durable outbox for the host to deliver: notifications.
// The payload is the JSON of plugin_abi.h notify(); its `key` the dedupe key (the host
// delivers a key once).

#include <string>
#include <string_view>

#include "ports/store/store.h"

namespace boligflyt::outbox {

inline constexpr std::string_view kNotificationTopic = "notification";

store::OutboxMessage notification_to_unit_leaders(const std::string& unit_id,
                                                  const std::string& subject,
                                                  const std::string& body, const std::string& link,
                                                  const std::string& dedupe_key);
store::OutboxMessage notification_to_user(const std::string& user_id, const std::string& subject,
                                          const std::string& body, const std::string& link,
                                          const std::string& dedupe_key);

}  // namespace boligflyt::outbox

namespace boligflyt::outbox {

/// To whoever holds `role` (data_protection_officer, quality_leader): in `unit_id`, or in any
/// unit when it is empty (plugin_abi.h notify()).
store::OutboxMessage notification_to_role(const std::string& role, const std::string& unit_id,
                                          const std::string& subject, const std::string& body,
                                          const std::string& link, const std::string& dedupe_key);

}  // namespace boligflyt::outbox

namespace boligflyt::outbox {

/// The plugin's own e-mail channel (adapters/smtp): one message per notification.
inline constexpr std::string_view kMailTopic = "mail";

/// The mail copy of a notification: topic "mail", dedupe key "mail:" + the notification's,
/// the same payload.
store::OutboxMessage mail_copy_of(const store::OutboxMessage& notification);

}  // namespace boligflyt::outbox
