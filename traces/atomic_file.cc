// SPDX-License-Identifier: GPL-2.0
#include "traces/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>

namespace mprogsim {
namespace {

// The temporary files being written, for the signal handler. A handler may only
// call async-signal-safe functions and read lock-free atomics, so the table is a
// fixed array of path buffers, each guarded by a state word.
constexpr std::size_t kSlots = 8;
constexpr std::size_t kMaxPath = 4096;  // PATH_MAX on Linux
enum SlotState : int { kFree = 0, kFilling = 1, kActive = 2 };
std::array<std::array<char, kMaxPath>, kSlots> g_paths;
std::array<std::atomic<int>, kSlots> g_state{};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void remove_temporaries_and_die(int sig) {
  for (std::size_t i = 0; i < kSlots; i++) {
    if (g_state[i].load() == kActive) unlink(g_paths[i].data());
  }
  // SA_RESETHAND restored the default action: raised again, the signal is delivered
  // once this handler returns and ends the process as it would have without us.
  raise(sig);
}

// Checked at every registration rather than once: a signal the caller set back to
// its default action (a forked child, say) gets the handler again.
void install_handlers() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) continue;
    // A signal the caller ignores or handles itself stays theirs.
    if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
    struct sigaction sa {};
    sa.sa_handler = remove_temporaries_and_die;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(sig, &sa, nullptr);
  }
}

// Claims a slot for `path`; -1 when none is free or the path is too long.
int register_temporary(const std::string& path) {
  if (path.size() + 1 > kMaxPath) return -1;
  install_handlers();
  for (std::size_t i = 0; i < kSlots; i++) {
    int expected = kFree;
    if (g_state[i].compare_exchange_strong(expected, kFilling)) {
      std::memcpy(g_paths[i].data(), path.c_str(), path.size() + 1);
      g_state[i].store(kActive);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void release_slot(int slot) {
  if (slot >= 0) g_state[static_cast<std::size_t>(slot)].store(kFree);
}

std::string errno_text(int err) { return std::strerror(err); }

// 16 hex digits from the kernel's random source; the name of a temporary file must
// not be guessable, or another user could plant a symlink or a fifo there first
// (O_EXCL would then fail and we would try another name).
std::string random_suffix() {
  std::uint64_t bits = 0;
  if (getrandom(&bits, sizeof(bits), GRND_NONBLOCK) != static_cast<ssize_t>(sizeof(bits))) {
    std::random_device device;
    bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 0; i < 16; i++) out[i] = kHex[(bits >> (4 * i)) & 0xf];
  return out;
}

}  // namespace

std::string unwritable_target(const std::string& path) {
  if (path.empty()) return "an empty file name";
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return "";
    return path + ": " + errno_text(errno);
  }
  if (S_ISREG(st.st_mode)) return "";
  const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISLNK(st.st_mode)  ? "a symbolic link"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a fifo"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return path + ": exists and is " + what + ", not a regular file; refusing to replace it";
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  error_ = unwritable_target(path_);
  if (!error_.empty()) return;
  const std::size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path_.substr(0, slash + 1);
  // Keep the temporary's own name within NAME_MAX (255) whatever the target's is.
  const std::string base =
      (slash == std::string::npos ? path_ : path_.substr(slash + 1)).substr(0, 200);
  for (int attempt = 0; attempt < 100; attempt++) {
    const std::string candidate = dir + "." + base + "." + random_suffix() + ".tmp";
    // Registered before it exists, so that a signal between open() and the table
    // update cannot leave it behind; unlinking a name not yet created is harmless.
    slot_ = register_temporary(candidate);
    if (slot_ < 0) {
      error_ = path_ + ": cannot track a temporary file (path too long or too many at once)";
      return;
    }
    fd_ = open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      tmp_ = candidate;
      return;
    }
    const int err = errno;
    release_slot(slot_);
    slot_ = -1;
    if (err != EEXIST) {
      error_ = "cannot create a temporary file beside " + path_ + ": " + errno_text(err);
      return;
    }
  }
  error_ = "cannot create a temporary file beside " + path_ + ": every name tried exists";
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (!tmp_.empty()) {
    unlink(tmp_.c_str());
    tmp_.clear();
  }
  release_slot(slot_);
  slot_ = -1;
}

bool AtomicFile::write(std::string_view text) {
  if (!error_.empty() || fd_ < 0) return false;
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = "cannot write " + path_ + ": " + errno_text(n < 0 ? errno : EIO);
      discard();
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// fsync and close; false (error_ set) on failure.
bool AtomicFile::sync_and_close() {
  if (!error_.empty() || fd_ < 0) {
    if (error_.empty()) error_ = path_ + ": already committed";
    return false;
  }
  const int fd = fd_;
  fd_ = -1;
  if (fsync(fd) != 0) {
    error_ = "cannot write " + path_ + ": " + errno_text(errno);
    close(fd);
  } else if (close(fd) != 0) {
    error_ = "cannot write " + path_ + ": " + errno_text(errno);
  }
  return error_.empty();
}

std::string AtomicFile::commit() {
  if (!sync_and_close()) {
    discard();
    return error_;
  }
  // The target may have become a special file while we wrote.
  if (error_.empty()) error_ = unwritable_target(path_);
  if (error_.empty() && rename(tmp_.c_str(), path_.c_str()) != 0) {
    error_ = "cannot rename the temporary file to " + path_ + ": " + errno_text(errno);
  }
  if (error_.empty()) {
    tmp_.clear();  // it is the target now
  }
  discard();
  return error_;
}

std::string AtomicFile::commit_as_new(const std::string& stem, const std::string& extension,
                                      std::string* written) {
  if (!sync_and_close()) {
    discard();
    return error_;
  }
  for (unsigned n = 1; n <= 100000; n++) {
    const std::string candidate = stem + (n == 1 ? "" : "-" + std::to_string(n)) + extension;
    if (renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, candidate.c_str(), RENAME_NOREPLACE) == 0) {
      *written = candidate;
      tmp_.clear();  // it is the new file now
      break;
    }
    // A file system without RENAME_NOREPLACE: link(2) fails on an existing name too,
    // and discard() then removes the temporary name.
    if ((errno == EINVAL || errno == ENOSYS) && link(tmp_.c_str(), candidate.c_str()) == 0) {
      *written = candidate;
      break;
    }
    if (errno != EEXIST) {
      error_ = "cannot write " + candidate + ": " + errno_text(errno);
      break;
    }
  }
  if (error_.empty() && written->empty())
    error_ = "cannot write " + stem + extension + ": every name is taken";
  discard();  // removes the temporary name (after a link, the file stays under the new one)
  return error_;
}

std::string write_new_file_atomically(const std::string& stem, const std::string& extension,
                                      const std::string& text, std::string* written) {
  written->clear();
  AtomicFile file(stem + extension);
  file.write(text);
  return file.commit_as_new(stem, extension, written);
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  return file.commit();
}

}  // namespace mprogsim
