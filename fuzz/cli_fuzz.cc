// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the command line (scripts/fuzz.sh cli): the input is argv,
// one argument per NUL-separated field ("check\0--seed\0-1"). It only parses, with
// every subcommand's options and checks (tools/cli.h), and runs nothing: running
// would write files where the arguments say. Parsing either succeeds or throws
// CLI::ParseError (exit 2 in main); any other exception, or a crash, is a bug.
// After a successful parse the error message path is exercised too, as main would
// print it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/escape.h"
#include "tools/cli.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args = {"mprogsim"};
  std::string current;
  for (std::size_t i = 0; i < size; i++) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);
  if (args.size() > 64) return 0;  // argv length is not what this target explores
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  const auto cli = mprogsim::tools::make_cli();
  try {
    cli->app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success&) {
    // --help: main prints the help
  } catch (const CLI::ParseError& e) {
    const std::string line = mprogsim::escape_for_message(e.what());
    for (char c : line) {
      if (c == '\n' || c == '\0') __builtin_trap();  // an error must stay one line
    }
  }
  return 0;
}
