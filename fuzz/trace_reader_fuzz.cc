// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the trace reader (scripts/fuzz.sh). On any bytes,
// parse_trace either returns a Trace or throws ScenarioError (a one-line error
// with a JSON path); anything else escaping it is a bug and crashes the run. A
// trace it accepts must round-trip: what write_trace writes parses again, and
// writing that gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "traces/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)mprogsim::looks_like_trace(text);
  mprogsim::Trace trace;
  try {
    trace = mprogsim::parse_trace(text);
  } catch (const mprogsim::ScenarioError&) {
    return 0;  // a bad file, reported as the format says
  }
  const std::string once = mprogsim::write_trace(trace);
  std::string twice;
  try {
    twice = mprogsim::write_trace(mprogsim::parse_trace(once));
  } catch (const mprogsim::ScenarioError& e) {
    std::fprintf(stderr, "the writer's output does not parse: %s\n%s", e.what(), once.c_str());
    std::abort();
  }
  if (twice != once) {
    std::fprintf(stderr, "write/parse/write differs:\n%s\n--- then ---\n%s", once.c_str(),
                 twice.c_str());
    std::abort();
  }
  return 0;
}
