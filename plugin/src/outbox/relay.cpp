#include "outbox/relay.h"

#include <algorithm>

#include "util/time.h"

namespace boligflyt::outbox {

std::int64_t backoff_seconds(const RetryPolicy& policy, int attempts) {
  std::int64_t delay = policy.first_delay_seconds;
  for (int i = 1; i < attempts && delay < policy.max_delay_seconds; ++i) delay *= 2;
  return std::min(delay, policy.max_delay_seconds);
}

OutboxRelay::OutboxRelay(store::Store& store, const Logger& logger)
    : store_(store), logger_(logger) {}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::add_topic(std::string topic, Deliverer& deliverer, RetryPolicy policy) {
  topics_.push_back(Topic{std::move(topic), &deliverer, policy});
}

void OutboxRelay::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(worker_mutex_);
  if (worker_) return;
  worker_ = std::make_unique<BackgroundWorker>(interval, [this] { pass(util::now_epoch()); });
}

void OutboxRelay::stop() {
  std::unique_ptr<BackgroundWorker> worker;
  {
    std::lock_guard lock(worker_mutex_);
    worker = std::move(worker_);
  }
  // Joined outside the lock: a pass in progress may call wake() through a service.
  if (worker) worker->stop();
}

void OutboxRelay::wake() {
  std::lock_guard lock(worker_mutex_);
  if (worker_) worker_->wake();
}

OutboxRelay::Round OutboxRelay::deliver_due(std::string_view topic_name, std::int64_t now_epoch) {
  Round round;
  const auto topic = std::find_if(topics_.begin(), topics_.end(),
                                  [&](const Topic& t) { return t.name == topic_name; });
  if (topic == topics_.end()) return round;
  const RetryPolicy& policy = topic->policy;
  auto claimed = store_.claim_outbox(topic->name, now_epoch, policy.lease_seconds, policy.batch);
  if (!claimed) {
    logger_.warn("outbox_claim_failed",
                 {{"topic", topic->name}, {"cause", claimed.error().log_message}});
    return round;
  }
  if (claimed->empty()) return round;
  // The whole round in one hand-over: a host that takes a batch makes it durable with one
  // fsync. Nothing is recorded as delivered before that hand-over has returned.
  const auto outcomes = topic->deliverer->deliver_batch(*claimed);
  for (std::size_t i = 0; i < claimed->size(); ++i) {
    auto& message = (*claimed)[i];
    ++message.attempts;
    const Result<void> sent =
        i < outcomes.size()
            ? outcomes[i]
            : make_error(ErrorKind::kInternal, "outbox-no-outcome", "Levering uten svar",
                         "Meldingen blir forsøkt på nytt.", {}, "deliverer gave no outcome");
    if (sent) {
      message.status = "delivered";
      message.delivered_at = util::iso_utc(now_epoch);
      message.last_error.clear();
      ++round.delivered;
    } else if (topic->deliverer->is_permanent(sent.error()) ||
               message.attempts >= policy.max_attempts) {
      message.status = "dead";
      message.last_error = topic->deliverer->failure_text(sent.error());
      ++round.dead;
      logger_.error("outbox_message_dead", {{"topic", topic->name},
                                            {"key", message.dedupe_key},
                                            {"attempts", std::to_string(message.attempts)},
                                            {"cause", sent.error().log_message}});
    } else {
      message.status = "pending";
      message.next_attempt_epoch = now_epoch + backoff_seconds(policy, message.attempts);
      message.last_error = topic->deliverer->failure_text(sent.error());
      ++round.retried;
      logger_.warn("outbox_retry_later",
                   {{"topic", topic->name},
                    {"key", message.dedupe_key},
                    {"attempts", std::to_string(message.attempts)},
                    {"next_attempt", util::iso_utc(message.next_attempt_epoch)},
                    {"cause", sent.error().log_message}});
    }
  }
  // One commit for the whole round: a commit per message cost the relay as much as delivering.
  // Should it fail, the leases run out and the messages are tried again: at-least-once, and
  // the dedupe key lets the receiver (host, archive) recognise a message it already has.
  if (auto ok = store_.finish_outbox_batch(*claimed); !ok) {
    logger_.warn("outbox_finish_failed",
                 {{"topic", topic->name}, {"cause", ok.error().log_message}});
  }
  return round;
}

void OutboxRelay::pass(std::int64_t now_epoch) {
  // Topics take turns, one batch each, so that a slow one (rendering PDF/A for the archive)
  // never holds notifications back for long. Bounded; the next tick or wake goes on.
  for (int round = 0; round < 50; ++round) {
    int done = 0;
    for (const auto& topic : topics_) done += deliver_due(topic.name, now_epoch).total();
    if (done == 0) break;
  }
  for (const auto& topic : topics_) topic.deliverer->on_pass(now_epoch);
}

std::string OutboxRelay::metrics_text() const {
  std::string out =
      "# HELP boligflyt_outbox_messages Messages in the durable outbox by topic and status.\n"
      "# TYPE boligflyt_outbox_messages gauge\n";
  for (const auto& topic : topics_) {
    auto counts = store_.outbox_counts(topic.name);
    if (!counts) continue;
    for (const auto& [status, n] :
         {std::pair<const char*, std::int64_t>{"pending", counts->pending},
          {"delivered", counts->delivered},
          {"dead", counts->dead}}) {
      out += "boligflyt_outbox_messages{topic=\"" + topic.name + "\",status=\"" + status + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace boligflyt::outbox
