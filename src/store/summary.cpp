#include <algorithm>

#include "store/store.hpp"

namespace postern::store {

StateSummary summarize(const MessageRecord& message) {
  StateSummary s;
  for (const RecipientRecord& r : message.recipients) {
    s.attempts = std::max(s.attempts, r.attempts);
    switch (r.state) {
      case RecipientState::queued:
        ++s.queued;
        if (!s.next_attempt_at_ms || r.next_attempt_at_ms < *s.next_attempt_at_ms) {
          s.next_attempt_at_ms = r.next_attempt_at_ms;
        }
        break;
      case RecipientState::delivered:
        ++s.delivered;
        break;
      case RecipientState::failed:
        ++s.failed;
        break;
      case RecipientState::held:
        ++s.held;
        break;
    }
  }
  return s;
}

}  // namespace postern::store
