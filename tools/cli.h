// SPDX-License-Identifier: GPL-2.0
// The mprogsim command line: every subcommand registered on one CLI11 app, with its
// options and their checks. main() parses it and runs the chosen subcommand; the
// fuzz target fuzz/cli_fuzz.cc only parses it.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>

#include "tools/subcommands.h"

namespace mprogsim::tools {

struct Cli {
  CLI::App app{"mprogsim: a deterministic simulator and model checker for bpf_mprog"};
  std::map<CLI::App*, Run> runs;  // what each parsed subcommand runs
};

[[nodiscard]] std::unique_ptr<Cli> make_cli();

}  // namespace mprogsim::tools
