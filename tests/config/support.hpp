#pragma once
// Shared helpers of the config tests: a fixed LoadInput and temporary files.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"

namespace postern::config::test {

inline LoadInput input(Environment env = {}) {
  LoadInput in;
  in.env = std::move(env);
  in.system_hostname = "relay.test";
  in.hardware_threads = 4;
  in.stderr_is_terminal = false;
  return in;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "postern-cfg-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to `name` in the directory; returns its path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace postern::config::test
