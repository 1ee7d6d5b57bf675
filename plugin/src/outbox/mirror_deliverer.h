#pragma once
// The deliverer of the host-register topic: hands each avvik snapshot to the host's
// mirror_deviation() (ABI 1.1). Registered only when the host offers that entry.

#include <string>

#include "outbox/relay.h"
#include "ports/host_services.h"

namespace boligflyt::outbox {

class MirrorDeliverer final : public Deliverer {
 public:
  explicit MirrorDeliverer(ports::HostServices& host) : host_(host) {}

  // Deliverer
  Result<void> deliver(const store::OutboxMessage& message) override {
    return host_.mirror_deviation(message.payload_json);
  }
  std::string failure_text(const Error& error) const override {
    return error.log_message.empty() ? error.detail : error.log_message;
  }

 private:
  ports::HostServices& host_;
};

}  // namespace boligflyt::outbox
