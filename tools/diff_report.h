// SPDX-License-Identifier: GPL-2.0
// How `diff` reports a difference, shared with `validate` (tools/validate.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "properties/semantic_diff.h"

namespace mprogsim::tools {

// Prints difference number `k` (its example step by step, both sides' answers) and,
// when `out_dir` is given, writes it as a scenario pair there. Returns "" or why a
// file could not be written.
[[nodiscard]] std::string print_difference(const std::string& out_dir, const properties::Variant& a,
                                           const properties::Variant& b, std::size_t k,
                                           const properties::DiffExample& d);

// The --json form of a diff's result (docs/results-format.md).
[[nodiscard]] nlohmann::ordered_json diff_json(const properties::SemanticDiffOptions& search,
                                               const properties::Variant& a,
                                               const properties::Variant& b,
                                               const properties::SemanticDiffResult& r);

}  // namespace mprogsim::tools
