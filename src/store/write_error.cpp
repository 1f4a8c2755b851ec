#include "store/write_error.hpp"

#include <sqlite3.h>

namespace postern::store {

WriteError classify_write_error(int extended_rc) {
  switch (extended_rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return {core::Errc::already_exists, false};
    default:
      break;
  }
  switch (extended_rc & 0xff) {  // the primary code
    case SQLITE_FULL: return {core::Errc::disk_full, false};
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG: return {core::Errc::invalid_argument, false};
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return {core::Errc::timed_out, false};
    default: return {core::Errc::storage_failure, true};
  }
}

}  // namespace postern::store
