// SPDX-License-Identifier: GPL-2.0
#include "sim/distinct_states.h"

#include <bit>
#include <cmath>

namespace mprogsim::sim {

void DistinctStates::add(std::uint64_t hash) {
  const std::uint32_t index = static_cast<std::uint32_t>(hash >> (64 - kBits));
  const std::uint64_t rest = (hash << kBits) | (1ULL << (kBits - 1));
  const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

double DistinctStates::estimate() const {
  constexpr double m = 1U << kBits;
  double sum = 0;
  int zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / zeros);  // small range
  return raw;
}

}  // namespace mprogsim::sim
