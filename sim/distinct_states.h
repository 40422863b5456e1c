// SPDX-License-Identifier: GPL-2.0
// An estimate of how many distinct states a campaign visited, in constant memory:
// a HyperLogLog sketch (Flajolet et al.) over 64-bit state hashes, 4096 registers,
// about 1.6% standard error. A state is where every thread is (its step count) and
// which write last set every shared location; two interleavings that reach the
// same memory by different writers count twice, so this over-counts slightly.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace mprogsim::sim {

class DistinctStates {
 public:
  void add(std::uint64_t hash);
  double estimate() const;
  // The union of two sketches: exactly the sketch of every state either saw, so
  // sketches of parts of a campaign merge into the whole campaign's.
  void merge(const DistinctStates& other);
  // The registers as hexadecimal text (two digits each), and back (false: not a
  // sketch of this size).
  std::string to_hex() const;
  bool from_hex(const std::string& text);

 private:
  static constexpr int kBits = 12;
  std::array<std::uint8_t, 1U << kBits> registers_{};
};

}  // namespace mprogsim::sim
