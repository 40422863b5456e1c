// SPDX-License-Identifier: GPL-2.0
// mprogsim: a deterministic model checker for the kernel's bpf_mprog.
//
// Exit codes (every subcommand): 0 success, 1 a check failed, 2 bad input or
// options, an output that could not be written, or memory exhausted; every exit 2
// prints one line on stderr saying why.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>
#include <streambuf>
#include <string>

#include "tools/cli.h"
#include "tools/cli_checks.h"

namespace {

// Runs the parsed subcommand; an allocation failure anywhere becomes exit 2 with a
// message instead of an abort (exit 134).
int run_guarded(const mprogsim::tools::Run& run) {
  try {
    return run();
  } catch (const std::bad_alloc&) {
    mprogsim::tools::print_error("mprogsim: out of memory");
  } catch (const std::length_error& e) {
    mprogsim::tools::print_error(std::string("mprogsim: out of memory: ") + e.what());
  }
  return 2;
}

// std::cout's buffer: it writes to fd 1 and remembers why the first write failed
// (stdio would have overwritten errno by the time main checks), so that
// `check > /dev/full` says "No space left on device" even when the failing write
// was the header, long before the end.
class StdoutBuffer : public std::streambuf {
 public:
  StdoutBuffer() { setp(buffer_, buffer_ + sizeof(buffer_)); }
  int first_error() const { return error_; }

 protected:
  int overflow(int c) override {
    if (!write_out()) return traits_type::eof();
    if (c == traits_type::eof()) return 0;
    *pptr() = static_cast<char>(c);
    pbump(1);
    return c;
  }
  int sync() override { return write_out() ? 0 : -1; }

 private:
  bool write_out() {
    const char* p = pbase();
    std::size_t left = static_cast<std::size_t>(pptr() - pbase());
    setp(buffer_, buffer_ + sizeof(buffer_));  // what failed is dropped, not retried
    while (left > 0) {
      const ssize_t n = ::write(STDOUT_FILENO, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (error_ == 0) error_ = n < 0 ? errno : EIO;
        return false;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    return error_ == 0;
  }

  char buffer_[1 << 16];
  int error_ = 0;
};

// Never destroyed: the iostreams flush std::cout at exit, after static destructors.
StdoutBuffer& stdout_buffer() {
  static StdoutBuffer* buffer = new StdoutBuffer;
  return *buffer;
}

// Whatever the subcommand printed must have reached stdout: `check > /dev/full`
// must not look like a successful run.
int check_stdout(int code) {
  std::cout.flush();
  if (!std::cout || stdout_buffer().first_error() != 0) {
    const int err = stdout_buffer().first_error();
    mprogsim::tools::print_error(std::string("mprogsim: cannot write the standard output: ") +
                                 (err ? std::strerror(err) : "the stream failed"));
    return 2;
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::cout.rdbuf(&stdout_buffer());
  const auto cli = mprogsim::tools::make_cli();
  CLI::App& app = cli->app;
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return check_stdout(app.exit(e));
  } catch (const CLI::ParseError& e) {
    // One line, escaped: the message may quote a value from the command line.
    mprogsim::tools::print_error(std::string("mprogsim: ") + e.what() + " (see --help)");
    return 2;
  }
  for (auto& [sub, run] : cli->runs) {
    if (sub->parsed()) return check_stdout(run_guarded(run));
  }
  return 2;
}
