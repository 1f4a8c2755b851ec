// AdminServer on a temporary socket with a real SqliteStore; requests through AdminClient
// (and a raw socket for malformed and oversized requests).
#include "http/admin_server.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "http/admin_client.hpp"
#include "store/store.hpp"
#include "telemetry/sinks.hpp"

namespace postern::http {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;

constexpr std::uint64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "postern-http-XXXXXX");
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

store::NewMessage message(std::string id, std::vector<std::string> rcpt) {
  store::NewMessage m;
  m.queue_id = std::move(id);
  m.account = "app";
  m.client_address = "192.0.2.1";
  m.mail_from = "sender@example.com";
  m.rcpt_to = std::move(rcpt);
  m.content = "Subject: hi\r\n\r\nsecret-reset-link\r\n";
  m.received_at_ms = kT0;
  return m;
}

template <class R, class Start>
R wait_for(Start start) {
  std::promise<R> p;
  auto f = p.get_future();
  start([&p](R r) { p.set_value(std::move(r)); });
  return f.get();
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_store({.data_dir = dir_.path() / "store"});
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened.value());
    commit(message("M1", {"a@x", "b@x"}));
    commit(message("M2", {"c@x"}));
    server_ = std::make_unique<AdminServer>(
        io_, *store_, socket_, telemetry::Logger(std::make_shared<telemetry::StreamSink>(log_)));
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop();
    work_.reset();
    thread_.join();
    server_.reset();
  }
  void commit(store::NewMessage m) {
    ASSERT_FALSE(wait_for<core::Status>(
        [&](auto done) { store_->async_commit(std::move(m), std::move(done)); }));
  }
  AdminReply call(std::string_view method, std::string_view target) {
    auto reply = AdminClient(socket_).request(method, target);
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().message());
    return reply.ok() ? std::move(reply.value()) : AdminReply{};
  }
  json::object call_json(std::string_view method, std::string_view target, unsigned want) {
    const AdminReply r = call(method, target);
    EXPECT_EQ(r.status, want) << method << " " << target << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body).as_object();
  }

  TempDir dir_;
  std::ostringstream log_;
  std::filesystem::path socket_ = dir_.path() / "admin.sock";
  std::unique_ptr<store::Store> store_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<AdminServer> server_;
  std::thread thread_;
};

TEST_F(AdminServerTest, SocketIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::lstat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AdminServerTest, ListsPendingMessagesWithStates) {
  const auto body = call_json("GET", "/v1/queue", 200);
  const auto& list = body.at("messages").as_array();
  ASSERT_EQ(list.size(), 2u);
  const auto& m1 = list[0].as_object();
  EXPECT_EQ(m1.at("queue_id"), "M1");
  EXPECT_EQ(m1.at("sender"), "sender@example.com");
  EXPECT_EQ(m1.at("kind"), "message");
  EXPECT_EQ(m1.at("received_at"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(m1.at("next_attempt_at"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(m1.at("states").at("queued"), 2);
  EXPECT_EQ(m1.at("recipients").as_array().size(), 2u);
  EXPECT_EQ(m1.at("recipients").at(1).at("address"), "b@x");
  EXPECT_EQ(call_json("GET", "/v1/queue?limit=1", 200).at("messages").as_array().size(), 1u);
}

TEST_F(AdminServerTest, ShowsOneMessageWithoutItsContent) {
  const AdminReply r = call("GET", "/v1/queue/M1");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.find("secret-reset-link"), std::string::npos);  // never the mail itself
  const auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("recipients").at(0).at("state"), "queued");
  EXPECT_EQ(body.at("recipients").at(0).at("last_reply"), "");
  const auto missing = call_json("GET", "/v1/queue/NOPE", 404);
  EXPECT_EQ(missing.at("error"), "not_found");
}

TEST_F(AdminServerTest, OperatorVerbsChangeTheQueue) {
  EXPECT_EQ(call_json("POST", "/v1/queue/M1/hold", 200).at("changed"), 2);
  auto shown = call_json("GET", "/v1/queue/M1", 200);
  EXPECT_EQ(shown.at("states").at("held"), 2);
  EXPECT_TRUE(shown.at("next_attempt_at").is_null());
  EXPECT_EQ(call_json("POST", "/v1/queue/M1/release", 200).at("changed"), 2);
  EXPECT_EQ(call_json("POST", "/v1/queue/M1/retry", 200).at("action"), "retry");
  EXPECT_EQ(call_json("POST", "/v1/queue/flush", 200).at("action"), "flush");
  const auto deleted = call_json("DELETE", "/v1/queue/M2", 200);
  EXPECT_EQ(deleted.at("changed"), 1);
  EXPECT_EQ(deleted.at("queue_id"), "M2");
  call_json("GET", "/v1/queue/M2", 404);
  call_json("POST", "/v1/queue/M2/hold", 404);
  call_json("DELETE", "/v1/queue/M2", 404);
  EXPECT_EQ(call_json("GET", "/v1/queue", 200).at("messages").as_array().size(), 1u);
}

TEST_F(AdminServerTest, CapturesListAndContent) {
  ASSERT_FALSE(wait_for<core::Status>([&](auto done) {
    store_->async_capture({"M1", {0, 1}, kT0 + 1000, 10}, std::move(done));
  }));
  const auto body = call_json("GET", "/v1/captures", 200);
  ASSERT_EQ(body.at("captures").as_array().size(), 1u);
  const auto& c = body.at("captures").at(0);
  EXPECT_EQ(c.at("queue_id"), "M1");
  EXPECT_EQ(c.at("recipients").as_array().size(), 2u);
  EXPECT_EQ(c.at("captured_at"), "2023-11-14T22:13:21.000Z");
  const AdminReply content = call("GET", "/v1/captures/M1");
  EXPECT_EQ(content.status, 200u);
  EXPECT_EQ(content.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(content.body, "Subject: hi\r\n\r\nsecret-reset-link\r\n");
  call_json("GET", "/v1/captures/M2", 404);  // queued, not captured
  // Pending listing no longer has M1 (delivered); all=1 does.
  EXPECT_EQ(call_json("GET", "/v1/queue", 200).at("messages").as_array().size(), 1u);
  EXPECT_EQ(call_json("GET", "/v1/queue?all=1", 200).at("messages").as_array().size(), 2u);
}

TEST_F(AdminServerTest, WrongMethodsAndTargets) {
  call_json("PUT", "/v1/queue/M1", 405);
  call_json("GET", "/v1/nothing", 404);
  call_json("GET", "/v1/queue?limit=abc", 400);
}

// Raw bytes to the socket; returns what the server answered before closing.
std::string exchange_raw(const std::filesystem::path& path, const std::string& bytes) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect";
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, n);
  ::close(fd);
  return out;
}

TEST_F(AdminServerTest, OversizedAndMalformedRequestsAreRefused) {
  const std::string big =
      "POST /v1/queue/flush HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
      std::string(100000, 'x');
  EXPECT_EQ(exchange_raw(socket_, big).rfind("HTTP/1.1 413", 0), 0u);
  const std::string huge_header =
      "GET /v1/queue HTTP/1.1\r\nX: " + std::string(9000, 'y') + "\r\n\r\n";
  EXPECT_EQ(exchange_raw(socket_, huge_header).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(exchange_raw(socket_, "HELO there\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  // Keep-alive: two requests on one connection, both answered.
  const std::string two =
      "GET /v1/queue HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/queue/M1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string replies = exchange_raw(socket_, two);
  EXPECT_EQ(replies.rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_NE(replies.find("HTTP/1.1 200", 1), std::string::npos);
}

TEST_F(AdminServerTest, StopRemovesTheSocket) {
  server_->stop();
  EXPECT_FALSE(std::filesystem::exists(socket_));
  auto reply = AdminClient(socket_).request("GET", "/v1/queue");
  ASSERT_FALSE(reply.ok());
  EXPECT_TRUE(AdminClient::is_no_listener(reply.error())) << reply.error().message();
}

TEST(AdminServerStart, StaleSocketIsReplacedOtherFilesAreNot) {
  TempDir dir;
  auto store = store::open_store({.data_dir = dir.path() / "store"});
  ASSERT_TRUE(store.ok());
  asio::io_context io;
  const auto path = dir.path() / "admin.sock";
  {  // A socket file nobody listens on: what a killed daemon leaves.
    AdminServer dead(io, **store, path, telemetry::Logger());
    dead.start();
  }
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);  // the file stays, nobody listens
  }
  auto stale = AdminClient(path).request("GET", "/v1/queue");
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(AdminClient::is_no_listener(stale.error()));
  AdminServer server(io, **store, path, telemetry::Logger());
  EXPECT_NO_THROW(server.start());
  // A second server on a live socket is refused; so is a path that is not a socket.
  AdminServer second(io, **store, path, telemetry::Logger());
  EXPECT_THROW(second.start(), boost::system::system_error);
  server.stop();
  std::ofstream(path) << "not a socket";
  AdminServer third(io, **store, path, telemetry::Logger());
  EXPECT_THROW(third.start(), boost::system::system_error);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(AdminClientTest, NoSocketMeansNoListener) {
  TempDir dir;
  auto reply = AdminClient(dir.path() / "admin.sock").request("GET", "/v1/queue");
  ASSERT_FALSE(reply.ok());
  EXPECT_TRUE(AdminClient::is_no_listener(reply.error()));
}

}  // namespace
}  // namespace postern::http
