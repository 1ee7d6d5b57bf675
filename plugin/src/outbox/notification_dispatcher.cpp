#include "outbox/notification_dispatcher.h"

#include <algorithm>
#include <boost/json.hpp>

#include "util/time.h"

namespace boligflyt::outbox {

store::OutboxMessage notification_to_unit_leaders(const std::string& unit_id,
                                                  const std::string& subject,
                                                  const std::string& body, const std::string& link,
                                                  const std::string& dedupe_key) {
  store::OutboxMessage m;
  m.topic = "notification";
  m.dedupe_key = dedupe_key;
  m.payload_json = boost::json::serialize(boost::json::object{
      {"recipient", boost::json::object{{"unit_id", unit_id}, {"role", "unit_leader"}}},
      {"subject", subject},
      {"body", body},
      {"link", link},
      {"key", dedupe_key}});
  return m;
}

store::OutboxMessage notification_to_user(const std::string& user_id, const std::string& subject,
                                          const std::string& body, const std::string& link,
                                          const std::string& dedupe_key) {
  store::OutboxMessage m;
  m.topic = "notification";
  m.dedupe_key = dedupe_key;
  m.payload_json = boost::json::serialize(
      boost::json::object{{"recipient", boost::json::object{{"user_id", user_id}}},
                          {"subject", subject},
                          {"body", body},
                          {"link", link},
                          {"key", dedupe_key}});
  return m;
}

std::int64_t backoff_seconds(const RetryPolicy& policy, int attempts) {
  std::int64_t delay = policy.first_delay_seconds;
  for (int i = 1; i < attempts && delay < policy.max_delay_seconds; ++i) delay *= 2;
  return std::min(delay, policy.max_delay_seconds);
}

NotificationDispatcher::Round NotificationDispatcher::deliver_due(std::int64_t now_epoch) {
  Round round;
  auto claimed =
      store_.claim_outbox("notification", now_epoch, policy_.lease_seconds, policy_.batch);
  if (!claimed) {
    logger_.warn("outbox_claim_failed", {{"cause", claimed.error().log_message}});
    return round;
  }
  for (auto message : *claimed) {
    auto sent = host_.notify(message.payload_json);
    ++message.attempts;
    if (sent) {
      message.status = "delivered";
      message.delivered_at = util::iso_utc(now_epoch);
      message.last_error.clear();
      ++round.delivered;
    } else if (message.attempts >= policy_.max_attempts) {
      message.status = "dead";
      message.last_error =
          sent.error().log_message.empty() ? sent.error().detail : sent.error().log_message;
      ++round.dead;
      logger_.error("notification_dead",
                    {{"key", message.dedupe_key}, {"attempts", std::to_string(message.attempts)}});
    } else {
      message.status = "pending";
      message.next_attempt_epoch = now_epoch + backoff_seconds(policy_, message.attempts);
      message.last_error =
          sent.error().log_message.empty() ? sent.error().detail : sent.error().log_message;
      ++round.retried;
      logger_.warn("notification_retry_later",
                   {{"key", message.dedupe_key},
                    {"attempts", std::to_string(message.attempts)},
                    {"next_attempt", util::iso_utc(message.next_attempt_epoch)}});
    }
    if (auto ok = store_.finish_outbox(message); !ok) {
      // The lease runs out and the message is tried again: at-least-once, keyed for the host.
      logger_.warn("outbox_finish_failed", {{"cause", ok.error().log_message}});
    }
  }
  return round;
}

std::string NotificationDispatcher::metrics_text() const {
  std::string out =
      "# HELP boligflyt_outbox_messages Messages in the durable outbox by topic and status.\n"
      "# TYPE boligflyt_outbox_messages gauge\n";
  for (const char* topic : {"notification", "archive"}) {
    auto counts = store_.outbox_counts(topic);
    if (!counts) continue;
    for (const auto& [status, n] :
         {std::pair<const char*, std::int64_t>{"pending", counts->pending},
          {"delivered", counts->delivered},
          {"dead", counts->dead}}) {
      out += "boligflyt_outbox_messages{topic=\"" + std::string(topic) + "\",status=\"" + status +
             "\"} " + std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace boligflyt::outbox
