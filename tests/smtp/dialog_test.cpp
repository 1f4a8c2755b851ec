// Replays every tests/dialogs/*.dialog against ServerSession, in three feeding modes: as
// written, byte by byte (every split point of every packet), and with all consecutive client
// steps coalesced into one packet (maximal pipelining). The transcript must be the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dialog_script.hpp"

namespace postern::smtp::testing {
namespace {

namespace fs = std::filesystem;

fs::path dialogs_dir() { return fs::path(POSTERN_TEST_DATA_DIR) / ".." / "dialogs"; }

std::vector<std::string> dialog_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dialogs_dir())) {
    if (entry.path().extension() == ".dialog") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* kFeedNames[] = {"as_written", "byte_by_byte", "coalesced"};

}  // namespace

void PrintTo(Feed feed, std::ostream* os) { *os << kFeedNames[static_cast<int>(feed)]; }

namespace {

class DialogTest : public ::testing::TestWithParam<std::tuple<std::string, Feed>> {};

TEST_P(DialogTest, Replays) {
  const auto& [name, feed] = GetParam();
  const std::vector<Step> steps = parse_dialog(read_file(dialogs_dir() / (name + ".dialog")));
  ASSERT_FALSE(steps.empty());
  DialogRunner runner;
  for (const std::string& failure : runner.run(steps, feed))
    ADD_FAILURE() << name << ".dialog " << failure;
}

std::string test_name(const ::testing::TestParamInfo<DialogTest::ParamType>& info) {
  std::string name = std::get<0>(info.param);
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name + "_" + kFeedNames[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(Dialogs, DialogTest,
                         ::testing::Combine(::testing::ValuesIn(dialog_names()),
                                            ::testing::Values(Feed::as_written, Feed::byte_by_byte,
                                                              Feed::coalesced)),
                         test_name);

TEST(DialogFormat, ParsesEveryStepKind) {
  const auto steps =
      parse_dialog("# comment\n\nC: EHLO x\nC~ A\\r\\n\\x00\\\\\nS: 250 ok\nS~ ^2.*$\n! tls\n");
  ASSERT_EQ(steps.size(), 5U);
  EXPECT_EQ(steps[0].text, "EHLO x\r\n");
  EXPECT_EQ(steps[1].text, std::string("A\r\n\0\\", 5));
  EXPECT_EQ(steps[2].kind, Step::Kind::expect);
  EXPECT_EQ(steps[3].kind, Step::Kind::expect_regex);
  EXPECT_EQ(steps[4].kind, Step::Kind::directive);
  EXPECT_EQ(steps[4].text, "tls");
  EXPECT_EQ(steps[4].line, 7);
}

TEST(DialogFormat, RefusesMalformedLines) {
  EXPECT_THROW((void)parse_dialog("X: y\n"), std::runtime_error);
  EXPECT_THROW((void)parse_dialog("C~ \\q\n"), std::runtime_error);
  EXPECT_THROW((void)parse_dialog("C~ \\\n"), std::runtime_error);
}

// The runner itself must be able to fail: a wrong expectation and an extra reply are caught.
TEST(DialogRunner, ReportsMismatches) {
  DialogRunner wrong;
  EXPECT_FALSE(wrong.run(parse_dialog("S: 220 nope\n")).empty());
  DialogRunner extra;
  EXPECT_FALSE(extra.run(parse_dialog("C: NOOP\n")).empty());
  DialogRunner missing;
  EXPECT_FALSE(
      missing.run(parse_dialog("S: 220 postern.test ESMTP Postern\nS: 250 2.0.0 Ok\n")).empty());
}

TEST(DialogRunner, SenderRule) {
  const std::vector<std::string> p{"alice@example.com", "*@example.org"};
  EXPECT_TRUE(sender_allowed(p, "alice@example.com"));
  EXPECT_TRUE(sender_allowed(p, "alice@EXAMPLE.com"));
  EXPECT_TRUE(sender_allowed(p, "alice+news@example.com"));
  EXPECT_TRUE(sender_allowed(p, "anyone@example.org"));
  EXPECT_TRUE(sender_allowed(p, ""));
  EXPECT_FALSE(sender_allowed(p, "Alice@example.com"));
  EXPECT_FALSE(sender_allowed(p, "bob@example.com"));
  EXPECT_FALSE(sender_allowed(p, "alice@example.net"));
}

}  // namespace
}  // namespace postern::smtp::testing
