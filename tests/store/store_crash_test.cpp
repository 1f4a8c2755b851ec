// Crash durability: a child process commits and prints each queue id once `done` reported
// success; the parent kills it with SIGKILL mid-stream, reopens the store and checks that every
// printed id is there, intact. This tests that `done` comes after COMMIT (process crash). A
// power loss would also need the fsync, which a test cannot cut; synchronous=FULL covers it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::binary_content;
using testing::make_message;
using testing::options_for;
using testing::TempDir;

constexpr int kWriterThreads = 4;
constexpr int kMaxPerThread = 5000;  // far more than the parent waits for
constexpr std::size_t kKillAfter = 300;

std::string content_for(const std::string& id) {
  const std::uint64_t seed = std::hash<std::string>{}(id);
  return binary_content(512 + seed % 8192, seed);
}

std::vector<std::string> recipients_for(const std::string& id) {
  return {"a-" + id + "@example.org", "b@example.org"};
}

void write_line(int fd, const std::string& line) {
  const std::string out = line + "\n";  // < PIPE_BUF: one atomic write
  (void)::write(fd, out.data(), out.size());
}

// Runs in the child; never returns.
[[noreturn]] void child_main(const TempDir& dir, int fd) {
  auto opened = open_store(options_for(dir));
  if (!opened) {
    write_line(fd, "ERROR open " + opened.error().message());
    ::_exit(1);
  }
  Store& store = *opened.value();
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&store, fd, t] {
      for (int i = 0; i < kMaxPerThread; ++i) {
        const std::string id = core::make_queue_id(1'700'000'000'000 + i) + std::to_string(t);
        NewMessage m = make_message(id, content_for(id), recipients_for(id));
        if (auto st = testing::commit(store, std::move(m))) {
          write_line(fd, "ERROR commit " + st.message());
          return;
        }
        write_line(fd, id);
      }
    });
  }
  for (auto& t : threads) t.join();
  ::_exit(0);
}

// Reads lines from `fd` until `enough` returns true or EOF.
void read_lines(int fd, std::vector<std::string>& lines, std::string& partial,
                const std::function<bool()>& enough) {
  char buf[4096];
  while (!enough()) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    partial.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
      lines.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
  }
}

TEST(StoreCrash, SigkilledWriterKeepsEveryAcknowledgedMessage) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    child_main(dir, fds[1]);
  }
  ::close(fds[1]);
  std::vector<std::string> ids;
  std::string partial;
  read_lines(fds[0], ids, partial, [&] { return ids.size() >= kKillAfter; });
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  read_lines(fds[0], ids, partial, [] { return false; });  // acknowledged before it died
  ::close(fds[0]);
  ASSERT_GE(ids.size(), kKillAfter);

  auto store = testing::must_open(options_for(dir));
  for (const std::string& id : ids) {
    ASSERT_EQ(id.rfind("ERROR", 0), std::string::npos) << id;
    auto m = store->load_message(id);
    ASSERT_TRUE(m.ok()) << "acknowledged but lost: " << id;
    EXPECT_EQ(m->content, content_for(id)) << id;
    ASSERT_EQ(m->recipients.size(), 2u);
    EXPECT_EQ(m->recipients[0].address, recipients_for(id)[0]);
  }
  // Whatever else is in the store (committed, not yet printed) is complete too.
  auto all = store->list_messages(1'000'000);
  ASSERT_TRUE(all.ok());
  EXPECT_GE(all->size(), ids.size());
  for (const MessageRecord& m : *all) {
    EXPECT_EQ(m.size, content_for(m.queue_id).size()) << m.queue_id;
    EXPECT_EQ(m.recipients.size(), 2u) << m.queue_id;
  }
}

}  // namespace
}  // namespace postern::store
