// SPDX-License-Identifier: GPL-2.0
// mprogsim: a deterministic model checker for the kernel's bpf_mprog.
//
// Exit codes (every subcommand): 0 success, 1 a check failed, 2 bad input or
// options, an output that could not be written, or memory exhausted; every exit 2
// prints one line on stderr saying why.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <new>
#include <stdexcept>
#include <string>

#include "tools/cli_checks.h"
#include "tools/subcommands.h"

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

// Whatever the subcommand printed must have reached stdout: `check > /dev/full`
// must not look like a successful run.
// A write that failed earlier in the run (a full buffer written out mid-run) leaves
// the stream failed but its errno long overwritten; the reason is then unknown.
int check_stdout(int code) {
  errno = 0;
  std::cout.flush();
  const bool flush_failed = std::fflush(stdout) != 0;
  const int err = errno;
  if (!std::cout || flush_failed || std::ferror(stdout)) {
    mprogsim::tools::print_error(
        std::string("mprogsim: cannot write the standard output: ") +
        (err ? std::strerror(err) : "an earlier write failed"));
    return 2;
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mprogsim: a deterministic simulator and model checker for bpf_mprog"};
  app.require_subcommand(1);
  std::map<CLI::App*, mprogsim::tools::Run> runs;
  auto add = [&](const char* name, const char* help, auto adder) {
    CLI::App* sub = app.add_subcommand(name, help);
    runs[sub] = adder(*sub);
  };
  add("check",
      "Run a seeded simulator campaign: control path and datapath readers interleaved, "
      "every execution checked (use-after-free, snapshots, spec, revision, references)",
      mprogsim::tools::add_check);
  add("replay", "Run scenario files, or re-execute trace files exactly (--explain, --dot)", mprogsim::tools::add_replay);
  add("shrink", "Minimize a failing trace while the same property fails",
      mprogsim::tools::add_shrink);
  add("diff", "Find the shortest operation sequences on which two versions of mprog differ",
      mprogsim::tools::add_diff);
  add("mutants", "List the deliberately broken model variants", mprogsim::tools::add_mutants);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return check_stdout(app.exit(e));
  } catch (const CLI::ParseError& e) {
    // One line, escaped: the message may quote a value from the command line.
    mprogsim::tools::print_error(std::string("mprogsim: ") + e.what() + " (see --help)");
    return 2;
  }
  for (auto& [sub, run] : runs) {
    if (sub->parsed()) return check_stdout(run_guarded(run));
  }
  return 2;
}
