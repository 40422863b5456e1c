// SPDX-License-Identifier: GPL-2.0
// The names a scenario binds, decided from the file alone (scenario-format.md,
// "Objects and names"): `load` binds a program name; a `link_attach` whose `expect` is
// OK or missing binds a link name, one that expects an errno binds nothing;
// `prog_close` / `link_close` close a name. Whatever the system under test answers,
// the same file binds the same names, so whether a file is bad never depends on the
// implementation: check_names() finds every such error before anything runs.
#pragma once

#include <map>
#include <string>

#include "scenario/scenario.h"

namespace mprogsim {

// Whether a link_attach binds its name.
enum class NameBinding {
  kFromFile,    // as the file says: `expect` OK or missing (the contract; replay, check)
  kFromResult,  // when it succeeds: for a run whose expectations are about to be
                // replaced by what it observed (with_spec_expectations, generators), so
                // that the file written afterwards binds exactly these names
};

// True when the file says this step binds its name: a `load`, or a `link_attach`
// whose `expect` is OK or missing.
[[nodiscard]] bool step_binds(const Step& step);

class ScenarioNames {
 public:
  enum class Kind { kProg, kLink };

  // Throws ScenarioError ("<where>: ...") if `step` uses a name the format forbids
  // there: unbound, of the other kind, closed where an open one is needed, or bound
  // again. `link_binds`: whether a link_attach binds its name (ignored for other ops).
  void check(const Step& step, bool link_binds, const std::string& where) const;
  // Records what the step binds or closes; call after check().
  void apply(const Step& step, bool link_binds);

  bool bound(const std::string& name, Kind kind) const;
  bool closed(const std::string& name) const;  // false for a name not bound

 private:
  struct Name {
    Kind kind;
    bool closed = false;
  };
  [[noreturn]] static void bad(const std::string& where, const std::string& what);
  void need(const std::string& name, Kind kind, const std::string& where) const;
  void need_open_prog(const std::string& name, const std::string& where) const;

  std::map<std::string, Name> names_;
};

// Checks every step of `scenario` as the file binds names (NameBinding::kFromFile).
// Throws ScenarioError naming the step by its JSON path ("$.steps[N]: ...", from 0).
void check_names(const Scenario& scenario);

}  // namespace mprogsim
