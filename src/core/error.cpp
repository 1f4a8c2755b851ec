#include "core/error.hpp"

#include <string>

namespace postern::core {
namespace {

class PosternCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "postern"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::ok: return "success";
      case Errc::disk_full: return "disk full";
      case Errc::storage_failure: return "storage failure";
      case Errc::store_unavailable: return "store unavailable until an operator acts";
      case Errc::not_found: return "not found";
      case Errc::already_exists: return "already exists";
      case Errc::invalid_argument: return "invalid argument";
      case Errc::malformed_input: return "malformed input";
      case Errc::permission_denied: return "permission denied";
      case Errc::timed_out: return "timed out";
    }
    return "unknown postern error";
  }
};

}  // namespace

const std::error_category& postern_category() noexcept {
  static const PosternCategory category;
  return category;
}

}  // namespace postern::core
