// SPDX-License-Identifier: GPL-2.0
// Scenario files (../shared/scenario-format.md): a script of control-path operations
// on one attach point, with optional expectations. This is the data, its strict JSON
// reader (every unknown field or wrong type is an error that says where) and its
// writer (used to print a shrunk property-test counterexample as a scenario).
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/escape.h"
#include "model/mprog_api.h"
#include "model/variant.h"

namespace mprogsim {

// A bad scenario file: the message names the file position (JSON path). It quotes
// the input, so it is escaped (common/escape.h) to stay one line.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(const std::string& what) : std::runtime_error(escape_for_message(what)) {}
};

enum class StepOp {
  kLoad,
  kAttach,
  kLinkAttach,
  kLinkUpdate,
  kDetach,
  kLinkDetach,
  kQuery,
  kRun,
  kProgClose,
  kLinkClose,
  kMiniqInc,
  kMiniqDec,
  kRefs,
};

struct Relative {
  enum class Kind { kNone, kProg, kLink };
  Kind kind = Kind::kNone;
  std::optional<std::string> name;  // exactly one of name and raw when kind != kNone
  std::optional<u32> raw;
  bool by_id = false;
};

struct Step {
  StepOp op = StepOp::kLoad;
  std::optional<std::string> prog;  // detach: nullopt means "no program" (fd 0)
  std::string prog_type = "tcx";    // load only
  std::optional<std::string> link;
  std::optional<std::string> old_prog;  // link_update
  std::vector<std::string> flags;       // flag names as written
  Relative relative;
  std::optional<std::string> replace;  // attach only
  u64 expected_revision = 0;
  std::optional<u32> buffer;  // query: nullopt = large enough

  std::optional<std::string> expect;  // "OK" or an errno name
  std::optional<u32> expect_count;
  std::optional<u64> expect_revision;
  std::optional<std::vector<std::string>> expect_progs;
  std::optional<std::vector<std::optional<std::string>>> expect_links;
  std::optional<std::vector<std::vector<std::string>>> expect_flags;
  std::optional<std::vector<std::string>> expect_ran;
  std::optional<std::map<std::string, u64>> expect_refs;
};

struct Scenario {
  std::string name;
  Semantics semantics = Semantics::kV2;
  std::optional<u64> initial_revision;
  std::vector<Step> steps;
};

[[nodiscard]] const char* step_op_name(StepOp op);

// Parses one scenario object or an array of them. Throws ScenarioError.
[[nodiscard]] std::vector<Scenario> parse_scenarios(const std::string& text);
// The JSON text of one scenario, in the file format (stable key order).
[[nodiscard]] std::string write_scenario(const Scenario& scenario);

// For formats that extend scenarios (traces/trace.h): parse a scenario object whose
// `extra_fields` belong to the caller, and render one as a JSON object.
[[nodiscard]] Scenario parse_scenario_json(const nlohmann::ordered_json& value,
                                           const std::string& where,
                                           const std::set<std::string>& extra_fields);
[[nodiscard]] nlohmann::ordered_json scenario_to_json(const Scenario& scenario);

}  // namespace mprogsim
