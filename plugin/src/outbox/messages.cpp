#include "outbox/messages.h"

#include <boost/json.hpp>

namespace boligflyt::outbox {
namespace {

store::OutboxMessage notification(boost::json::object recipient, const std::string& subject,
                                  const std::string& body, const std::string& link,
                                  const std::string& dedupe_key) {
  store::OutboxMessage m;
  m.topic = std::string(kNotificationTopic);
  m.dedupe_key = dedupe_key;
  m.payload_json = boost::json::serialize(boost::json::object{{"recipient", std::move(recipient)},
                                                              {"subject", subject},
                                                              {"body", body},
                                                              {"link", link},
                                                              {"key", dedupe_key}});
  return m;
}

}  // namespace

store::OutboxMessage notification_to_unit_leaders(const std::string& unit_id,
                                                  const std::string& subject,
                                                  const std::string& body, const std::string& link,
                                                  const std::string& dedupe_key) {
  return notification(boost::json::object{{"unit_id", unit_id}, {"role", "unit_leader"}}, subject,
                      body, link, dedupe_key);
}

store::OutboxMessage notification_to_user(const std::string& user_id, const std::string& subject,
                                          const std::string& body, const std::string& link,
                                          const std::string& dedupe_key) {
  return notification(boost::json::object{{"user_id", user_id}}, subject, body, link, dedupe_key);
}

store::OutboxMessage notification_to_role(const std::string& role, const std::string& unit_id,
                                          const std::string& subject, const std::string& body,
                                          const std::string& link, const std::string& dedupe_key) {
  boost::json::object recipient{{"role", role}};
  if (!unit_id.empty()) recipient["unit_id"] = unit_id;
  return notification(std::move(recipient), subject, body, link, dedupe_key);
}

store::OutboxMessage mail_copy_of(const store::OutboxMessage& notification) {
  store::OutboxMessage m;
  m.topic = std::string(kMailTopic);
  m.dedupe_key = "mail:" + notification.dedupe_key;
  m.payload_json = notification.payload_json;
  return m;
}

}  // namespace boligflyt::outbox
