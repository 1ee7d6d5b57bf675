#pragma once
// The deliverer of topic "notification": hands each message's payload to the host's notify().
// With the plugin's own e-mail configured it first queues the mail copy (topic "mail",
// idempotent by key, so a retry queues nothing twice); a host without notify() is then served
// by the mail alone.

#include <span>
#include <string>
#include <vector>

#include "outbox/messages.h"
#include "outbox/relay.h"
#include "outbox/wakeup.h"
#include "ports/host_services.h"
#include "ports/store/outbox_repository.h"

namespace boligflyt::outbox {

class NotificationDeliverer final : public Deliverer {
 public:
  /// `mail_outbox`: where mail copies go; null when the plugin sends no mail of its own.
  explicit NotificationDeliverer(ports::HostServices& host,
                                 store::OutboxRepository* mail_outbox = nullptr,
                                 Wakeup* wakeup = nullptr)
      : host_(host), mail_outbox_(mail_outbox), wakeup_(wakeup) {}

  // Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override {
    if (mail_outbox_ != nullptr) {
      if (auto queued = mail_outbox_->enqueue_outbox({mail_copy_of(message)}); !queued) {
        return queued.error();
      }
      if (wakeup_ != nullptr) wakeup_->wake();
      if (!host_.can_notify()) return {};
    }
    return host_.notify(message.payload_json);
  }
  /// A round in one host call (ABI 1.2 notify_batch, else one notify() each), after the
  /// round's mail copies went into the outbox together.
  std::vector<Result<void>> deliver_batch(std::span<const store::OutboxMessage> messages) override {
    if (mail_outbox_ != nullptr) {
      std::vector<store::OutboxMessage> copies;
      copies.reserve(messages.size());
      for (const auto& message : messages) copies.push_back(mail_copy_of(message));
      if (auto queued = mail_outbox_->enqueue_outbox(copies); !queued) {
        return std::vector<Result<void>>(messages.size(), Result<void>(queued.error()));
      }
      if (wakeup_ != nullptr) wakeup_->wake();
      if (!host_.can_notify()) return std::vector<Result<void>>(messages.size());
    }
    std::vector<const std::string*> payloads;
    payloads.reserve(messages.size());
    for (const auto& message : messages) payloads.push_back(&message.payload_json);
    return host_.notify_batch(payloads);
  }
  /// The host's own reason (from its error buffer) says most about why it refused.
  std::string failure_text(const Error& error) const override {
    return error.log_message.empty() ? error.detail : error.log_message;
  }

 private:
  ports::HostServices& host_;
  store::OutboxRepository* mail_outbox_;
  Wakeup* wakeup_;
};

}  // namespace boligflyt::outbox
