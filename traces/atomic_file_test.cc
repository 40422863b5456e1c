// SPDX-License-Identifier: GPL-2.0
// The atomic writer (traces/atomic_file.h): whole file or nothing, never through a
// planted symlink, never over a special file, no temporary file left behind on a
// failure or a signal.
#include "traces/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mprogsim {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "atomic-file-test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplacesARegularFileLeavingNothingElse) {
  EXPECT_EQ(write_file_atomically(path("a.json"), "first"), "");
  EXPECT_EQ(write_file_atomically(path("a.json"), "second"), "");
  EXPECT_EQ(read(path("a.json")), "second");
  EXPECT_EQ(entries(), std::vector<std::string>{"a.json"});
}

TEST_F(AtomicFileTest, RefusesSpecialTargetsAndLeavesThemAlone) {
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0600), 0);
  fs::create_directory(path("dir"));
  std::ofstream(path("victim")) << "precious";
  fs::create_symlink(path("victim"), path("link-to-file"));
  fs::create_symlink("/dev/null", path("link-to-device"));
  for (const char* name : {"fifo", "dir", "link-to-file", "link-to-device"}) {
    const std::string error = write_file_atomically(path(name), "x");
    EXPECT_NE(error.find("not a regular file"), std::string::npos) << name << ": " << error;
  }
  EXPECT_TRUE(fs::is_fifo(path("fifo")));
  EXPECT_TRUE(fs::is_directory(path("dir")));
  EXPECT_TRUE(fs::is_symlink(path("link-to-file")));
  EXPECT_TRUE(fs::is_symlink(path("link-to-device")));
  EXPECT_EQ(read(path("victim")), "precious");
  EXPECT_EQ(entries(),
            (std::vector<std::string>{"dir", "fifo", "link-to-device", "link-to-file", "victim"}));
  // A device is refused by the same check (only checked, never written, here).
  EXPECT_NE(unwritable_target("/dev/full").find("a character device"), std::string::npos);
  EXPECT_NE(write_file_atomically("", "x"), "");
}

TEST_F(AtomicFileTest, DoesNotFollowASymlinkPlantedAtAPredictableTemporaryName) {
  std::ofstream(path("victim")) << "precious";
  fs::create_symlink(path("victim"), path("out.json.tmp"));
  EXPECT_EQ(write_file_atomically(path("out.json"), "trace"), "");
  EXPECT_EQ(read(path("victim")), "precious");
  EXPECT_EQ(read(path("out.json")), "trace");
}

TEST_F(AtomicFileTest, TwoWritesInProgressUseDifferentTemporaryFiles) {
  AtomicFile a(path("same.json"));
  AtomicFile b(path("same.json"));
  ASSERT_EQ(a.error(), "");
  ASSERT_EQ(b.error(), "");
  EXPECT_NE(a.temporary_path(), b.temporary_path());
  a.write("from a");
  b.write("from b");
  EXPECT_EQ(a.commit(), "");
  EXPECT_EQ(b.commit(), "");
  EXPECT_EQ(read(path("same.json")), "from b");
  EXPECT_EQ(entries(), std::vector<std::string>{"same.json"});
}

// Two runs that choose the same trace name both keep their trace: the second gets
// a fresh name instead of replacing the first.
TEST_F(AtomicFileTest, ANewFileNeverReplacesOne) {
  std::string first, second, third;
  EXPECT_EQ(write_new_file_atomically(path("run"), ".json", "one", &first), "");
  EXPECT_EQ(write_new_file_atomically(path("run"), ".json", "two", &second), "");
  EXPECT_EQ(write_new_file_atomically(path("run"), ".json", "three", &third), "");
  EXPECT_EQ(first, path("run.json"));
  EXPECT_EQ(second, path("run-2.json"));
  EXPECT_EQ(third, path("run-3.json"));
  EXPECT_EQ(read(first), "one");
  EXPECT_EQ(read(second), "two");
  EXPECT_EQ(read(third), "three");
  EXPECT_EQ(entries(), (std::vector<std::string>{"run-2.json", "run-3.json", "run.json"}));
}

TEST_F(AtomicFileTest, AnUncommittedWriteLeavesNothing) {
  {
    AtomicFile f(path("never.json"));
    ASSERT_EQ(f.error(), "");
    EXPECT_TRUE(fs::exists(f.temporary_path()));
    f.write("half");
  }
  EXPECT_TRUE(entries().empty());
}

// A write that fails (here: the file size limit) reports why and removes the
// temporary file; the target keeps its old content.
TEST_F(AtomicFileTest, AFailedWriteRemovesTheTemporaryFile) {
  std::ofstream(path("t.json")) << "old";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{16, 16};
    setrlimit(RLIMIT_FSIZE, &limit);
    const std::string error = write_file_atomically(path("t.json"), std::string(4096, 'x'));
    _exit(error.find("File too large") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(read(path("t.json")), "old");
  EXPECT_EQ(entries(), std::vector<std::string>{"t.json"});
}

// SIGTERM or SIGINT in the middle of a write removes the temporary file and still
// ends the process by that signal.
TEST_F(AtomicFileTest, ASignalRemovesTheTemporaryFile) {
  for (int sig : {SIGTERM, SIGINT}) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      signal(sig, SIG_DFL);
      AtomicFile f(path("interrupted.json"));
      f.write("half a trace");
      raise(sig);
      _exit(3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    EXPECT_TRUE(entries().empty()) << entries().front();
  }
}

}  // namespace
}  // namespace mprogsim
