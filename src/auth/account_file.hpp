#pragma once
// The accounts file: submission accounts in the data dir (`<data_dir>/accounts`).
//
// Format (UTF-8 text, LF line ends, one account per line):
//   # comment (lines starting with '#') and blank lines are ignored
//   NAME <TAB> HASH <TAB> SENDERS
// NAME     the login name: 1-255 octets, no control characters, spaces or tabs, not starting
//          with '#'. Compared exactly (case-sensitive).
// HASH     an argon2id string from crypto_pwhash_str ("$argon2id$v=19$m=…,t=…,p=1$…$…").
// SENDERS  policy::SenderRules::to_string() (comma list without spaces; may be empty, which
//          allows only the null sender).
// Names are unique. The file is mode 0600 and always replaced atomically (atomic_file.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "policy/sender_rules.hpp"

namespace postern::auth {

struct Account {
  std::string name;
  // argon2id encoded hash. Not the password, but still never logged or shown by the API:
  // it allows offline guessing.
  std::string password_hash;
  policy::SenderRules senders;

  friend bool operator==(const Account&, const Account&) = default;
};

// Empty string if `name` is a valid account name, else the reason.
[[nodiscard]] std::string check_account_name(std::string_view name);

// Serialises accounts (with a header comment). REQUIRES: valid names and hashes.
[[nodiscard]] std::string format_accounts(const std::vector<Account>& accounts);

// Parses the file text. On error returns Errc::malformed_input and, if `reason` is not null,
// "line N: what" (never including the hash).
[[nodiscard]] core::Result<std::vector<Account>> parse_accounts(std::string_view text,
                                                                std::string* reason = nullptr);

}  // namespace postern::auth
