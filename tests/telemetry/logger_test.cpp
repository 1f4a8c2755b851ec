#include "telemetry/logger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <limits>
#include <sstream>
#include <thread>
#include <vector>

namespace postern::telemetry {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

class FixedClock final : public core::Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds(1795953600123)};
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Captured {
  std::ostringstream out;
  FixedClock clock;
  Logger logger(LoggerOptions options = {}) {
    return Logger(std::make_shared<StreamSink>(out), options, &clock);
  }
};

TEST(Logger, JsonLineHasTsLevelMsgAndTypedFields) {
  Captured cap;
  const std::string sid = "7K2M9Q4XZA";
  const std::size_t size = 5120;
  cap.logger().info("accepted", {{"session", sid}, {"queue_id", "01JD"}, {"size", size},
                                 {"tls", true}, {"delta", -3}, {"ratio", 0.5}});
  const std::string text = cap.out.str();
  ASSERT_EQ(lines_of(text).size(), 1u);
  ASSERT_EQ(text.back(), '\n');
  const json::value v = json::parse(text);
  EXPECT_EQ(v.at("ts").as_string(), "2026-11-29T12:00:00.123Z");
  EXPECT_EQ(v.at("level").as_string(), "info");
  EXPECT_EQ(v.at("msg").as_string(), "accepted");
  const json::object& fields = v.at("fields").as_object();
  EXPECT_EQ(fields.at("session").as_string(), "7K2M9Q4XZA");
  EXPECT_EQ(fields.at("queue_id").as_string(), "01JD");
  EXPECT_EQ(fields.at("size").to_number<std::uint64_t>(), 5120u);
  EXPECT_EQ(fields.at("tls").as_bool(), true);
  EXPECT_EQ(fields.at("delta").as_int64(), -3);
  EXPECT_EQ(fields.at("ratio").as_double(), 0.5);
}

TEST(Logger, HostileTextStaysOneValidJsonLine) {
  Captured cap;
  const std::string helo = "evil\r\n{\"level\":\"error\"}\x00\xff\\"s;
  cap.logger().warn("bad \"helo\"\n", {{"helo", helo}, {"key\n\"", 1}});
  const auto lines = lines_of(cap.out.str());
  ASSERT_EQ(lines.size(), 1u);
  const json::value v = json::parse(lines[0]);
  EXPECT_EQ(v.at("level").as_string(), "warn");
  EXPECT_EQ(v.at("msg").as_string(), "bad \"helo\"\n");
  EXPECT_EQ(v.at("fields").at("helo").as_string(), "evil\r\n{\"level\":\"error\"}\x00\xef\xbf\xbd\\"s);
  EXPECT_EQ(v.at("fields").at("key\n\"").as_int64(), 1);
}

TEST(Logger, NonFiniteNumbersBecomeNull) {
  Captured cap;
  cap.logger().info("n", {{"nan", std::numeric_limits<double>::quiet_NaN()},
                          {"inf", std::numeric_limits<double>::infinity()}});
  const json::value v = json::parse(cap.out.str());
  EXPECT_TRUE(v.at("fields").at("nan").is_null());
  EXPECT_TRUE(v.at("fields").at("inf").is_null());
}

TEST(Logger, TextFormatQuotesWhenNeeded) {
  Captured cap;
  cap.logger({Format::text, Level::debug})
      .debug("accepted", {{"session", "S1"}, {"size", 12}, {"empty", ""}, {"note", "two words"},
                          {"eq", "a=b"}, {"nl", "x\ny"}, {"ok", false}});
  EXPECT_EQ(cap.out.str(),
            "2026-11-29T12:00:00.123Z debug accepted session=S1 size=12 empty=\"\" "
            "note=\"two words\" eq=\"a=b\" nl=\"x\\ny\" ok=false\n");
  cap.out.str("");
  cap.logger({Format::text, Level::debug}).error("connection closed");
  EXPECT_EQ(cap.out.str(), "2026-11-29T12:00:00.123Z error \"connection closed\"\n");
}

TEST(Logger, LevelsFilterAndCanChange) {
  Captured cap;
  const Logger log = cap.logger({Format::json, Level::warn});
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  EXPECT_FALSE(log.enabled(Level::info));
  const Logger child = log.with({{"k", "v"}});
  child.set_level(Level::debug);  // shared with the parent
  log.debug("d2");
  const auto lines = lines_of(cap.out.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[0]).at("msg").as_string(), "w");
  EXPECT_EQ(json::parse(lines[1]).at("msg").as_string(), "e");
  EXPECT_EQ(json::parse(lines[2]).at("msg").as_string(), "d2");
}

TEST(Logger, WithBindsFieldsBeforeCallFields) {
  for (const Format format : {Format::json, Format::text}) {
    Captured cap;
    const Logger session = cap.logger({format, Level::info}).with({{"session", "S1"}});
    const Logger both = session.with({{"client", "192.0.2.1"}});
    both.info("rcpt", {{"queue_id", "Q"}});
    session.info("bare");
    const auto lines = lines_of(cap.out.str());
    ASSERT_EQ(lines.size(), 2u);
    if (format == Format::json) {
      EXPECT_NE(lines[0].find(R"("fields":{"session":"S1","client":"192.0.2.1","queue_id":"Q"}})"),
                std::string::npos) << lines[0];
      EXPECT_NE(lines[1].find(R"("fields":{"session":"S1"}})"), std::string::npos) << lines[1];
    } else {
      EXPECT_EQ(lines[0], "2026-11-29T12:00:00.123Z info rcpt session=S1 client=192.0.2.1 queue_id=Q");
      EXPECT_EQ(lines[1], "2026-11-29T12:00:00.123Z info bare session=S1");
    }
  }
}

TEST(Logger, ConcurrentLinesNeverMix) {
  Captured cap;
  const Logger log = cap.logger();
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kLines; ++i) log.info("line", {{"thread", t}, {"i", i}, {"pad", std::string(100, 'x')}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = lines_of(cap.out.str());
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  for (const auto& line : lines) EXPECT_EQ(json::parse(line).at("msg").as_string(), "line");
}

TEST(Logger, FdSinkWritesWholeLines) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    FixedClock clock;
    Logger log(std::make_shared<FdSink>(fds[1]), {Format::json, Level::info}, &clock);
    log.info("one");
    log.error("two", {{"n", 2}});
  }
  ::close(fds[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[1]).at("fields").at("n").as_int64(), 2);
}

TEST(Logger, Rfc3339Timestamps) {
  using std::chrono::milliseconds;
  const std::pair<long long, const char*> cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1795953600123, "2026-11-29T12:00:00.123Z"},
      {951868799999, "2000-02-29T23:59:59.999Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
  };
  for (const auto& [ms, want] : cases) {
    EXPECT_EQ(format_rfc3339_ms(std::chrono::system_clock::time_point{milliseconds(ms)}), want);
  }
}

TEST(Logger, ParsesLevelAndFormatNames) {
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_EQ(parse_level("WARN"), std::nullopt);
  EXPECT_EQ(parse_format("text"), Format::text);
  EXPECT_EQ(parse_format("xml"), std::nullopt);
}

TEST(Logger, DefaultLoggerCanBeReplaced) {
  Captured cap;
  const Logger before = default_logger();
  set_default_logger(cap.logger());
  default_logger().info("via default");
  set_default_logger(before);
  EXPECT_NE(cap.out.str().find("via default"), std::string::npos);
}

}  // namespace
}  // namespace postern::telemetry
