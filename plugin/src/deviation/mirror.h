#pragma once
// The avvik as the host's own avvik register sees it (ABI 1.1 mirror_deviation): one outbox
// message per change, keyed by the plugin's id and revision, so the host can keep the newest
// and recognise a retry. Only ids, codes and dates go: never the avvik's free text or who
// reported it.

#include <string_view>

#include "deviation/collaborators.h"

namespace boligflyt::deviation {

inline constexpr std::string_view kMirrorTopic = "host-register";

class DeviationMirrorMessages final : public DeviationMirroring {
 public:
  // DeviationMirroring
  store::OutboxMessage mirror_of(const store::DeviationRecord& record,
                                 std::int64_t revision) const override;
};

}  // namespace boligflyt::deviation
