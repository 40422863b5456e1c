// SPDX-License-Identifier: GPL-2.0
// The one way the command line reads an input file (a scenario, a trace, a --json
// summary) and reports what is wrong with it: bounded and strict reading
// (scenario/json_input.h), and one line naming the file and where in it.
//
// Step numbers: control steps are numbered from 1 wherever people read them (replay's
// `step 3:` lines, MISMATCH lines, `check`'s messages). A JSON path indexes arrays
// from 0 as JSONPath does (`$.steps[2]` is the third step), so a message whose path
// names a step also gives its number: `$.steps[2].relative.by: by must be id or fd
// (step 3)`. Schedule steps (`at schedule step 73`) are positions in a trace's
// `schedule` array, from 0, as its `outcome.step` stores them.
#pragma once

#include <string>

namespace mprogsim::tools {

struct InputFile {
  std::string text;
  bool trace = false;  // a trace (docs/trace-format.md), else a scenario file
};

// Reads `path`; throws ScenarioError (its message a JSON path or the reason).
[[nodiscard]] InputFile read_input(const std::string& path);

// "PATH: WHAT", with "(step N)" added when WHAT starts with a path into `steps`.
[[nodiscard]] std::string input_error(const std::string& path, const std::string& what);
// WHAT with " (step N)" added when it starts, or goes on after "...: ", with a JSON
// path into `steps` ("$.steps[3]...": step 4; docs/scenario-format.md, "Step numbers").
[[nodiscard]] std::string with_step_number(const std::string& what);

}  // namespace mprogsim::tools
