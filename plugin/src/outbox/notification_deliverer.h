#pragma once
// The deliverer of topic "notification": hands each message's payload to the host's notify().

#include <string>

#include "outbox/relay.h"
#include "ports/host_services.h"

namespace boligflyt::outbox {

class NotificationDeliverer final : public Deliverer {
 public:
  explicit NotificationDeliverer(ports::HostServices& host) : host_(host) {}

  // Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override {
    return host_.notify(message.payload_json);
  }
  /// The host's own reason (from its error buffer) says most about why it refused.
  std::string failure_text(const Error& error) const override {
    return error.log_message.empty() ? error.detail : error.log_message;
  }

 private:
  ports::HostServices& host_;
};

}  // namespace boligflyt::outbox
