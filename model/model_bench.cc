// SPDX-License-Identifier: GPL-2.0
// How fast the sequential v2 model runs a mix of attach / detach / query, beside a
// plain std::vector doing the same list changes. The ratio is the price of
// faithfulness: syscall-layer lookups and refcounts, the bundle's peer rewrite on
// every change, and a hook call on every shared-memory access.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "common/rng.h"
#include "model/v2/system.h"

namespace mprogsim {
namespace {

constexpr u32 kPrograms = 32;

struct Op {
  enum Kind { kAttach, kAttachBefore, kAttachAfter, kDetach, kQuery } kind;
  u32 prog;      // index into the pool
  u32 relative;  // index into the pool, for BEFORE/AFTER
};

// A fixed workload: the same ops for the model and for the baseline.
std::vector<Op> make_workload() {
  Rng rng(42);
  std::vector<Op> ops;
  for (int i = 0; i < 4096; i++) {
    const u64 r = rng.next();
    ops.push_back({static_cast<Op::Kind>(r % 5), static_cast<u32>((r >> 8) % kPrograms),
                   static_cast<u32>((r >> 16) % kPrograms)});
  }
  return ops;
}

void BM_V2ModelMix(benchmark::State& state) {
  const auto ops = make_workload();
  v2::System system;
  std::vector<u32> fds;
  for (u32 i = 0; i < kPrograms; i++)
    fds.push_back(static_cast<u32>(system.prog_load(ProgType::kSchedCls)));
  std::size_t next = 0;
  for (auto _ : state) {
    const Op& op = ops[next++ % ops.size()];
    int ret = 0;
    switch (op.kind) {
      case Op::kAttach:
        ret = system.prog_attach({fds[op.prog], 0, 0, 0, 0});
        break;
      case Op::kAttachBefore:
        ret = system.prog_attach({fds[op.prog], v2::BPF_F_BEFORE, fds[op.relative], 0, 0});
        break;
      case Op::kAttachAfter:
        ret = system.prog_attach({fds[op.prog], v2::BPF_F_AFTER, fds[op.relative], 0, 0});
        break;
      case Op::kDetach:
        ret = system.prog_detach({fds[op.prog], 0, 0, 0, 0});
        break;
      case Op::kQuery:
        ret = system.prog_query({0, 0, 64}).ret;
        break;
    }
    benchmark::DoNotOptimize(ret);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_V2ModelMix);

// The same list changes on a std::vector: find, insert, erase, copy out.
void BM_VectorBaselineMix(benchmark::State& state) {
  const auto ops = make_workload();
  std::vector<u32> list;
  std::vector<u32> out;
  std::size_t next = 0;
  for (auto _ : state) {
    const Op& op = ops[next++ % ops.size()];
    const auto at = std::find(list.begin(), list.end(), op.prog);
    const bool present = at != list.end();
    switch (op.kind) {
      case Op::kAttach:
        if (!present && list.size() < 63) list.push_back(op.prog);
        break;
      case Op::kAttachBefore:
      case Op::kAttachAfter: {
        if (present || list.size() >= 63) break;
        auto rel = std::find(list.begin(), list.end(), op.relative);
        if (rel == list.end()) break;
        if (op.kind == Op::kAttachAfter) ++rel;
        list.insert(rel, op.prog);
        break;
      }
      case Op::kDetach:
        if (present) list.erase(at);
        break;
      case Op::kQuery:
        out.assign(list.begin(), list.end());
        break;
    }
    benchmark::DoNotOptimize(list.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VectorBaselineMix);

}  // namespace
}  // namespace mprogsim

BENCHMARK_MAIN();
