// SPDX-License-Identifier: GPL-2.0
// A mutant belongs to one system instance: two systems driven in turns by one thread
// (the two sides of a diff) each run their own, and nothing is left behind on the
// thread when their calls return.
#include <gtest/gtest.h>

#include "model/mutants.h"
#include "model/upstream/system.h"
#include "model/v2/system.h"

namespace mprogsim {
namespace {

// Loads and attaches two programs: a query with room for one then must say -ENOSPC.
template <typename System>
void attach_two(System& system) {
  for (int i = 0; i < 2; i++) {
    const int fd = system.prog_load(ProgType::kSchedCls);
    ASSERT_GE(fd, 3);
    ProgAttachAttr attr;
    attr.attach_bpf_fd = static_cast<u32>(fd);
    ASSERT_EQ(system.prog_attach(attr), 0);
  }
}

TEST(MutantInstance, TwoV2SystemsInOneThreadRunTheirOwnMutant) {
  v2::System correct;
  v2::System broken(Mutant::kQueryNoEnospc);
  EXPECT_EQ(broken.mutant(), Mutant::kQueryNoEnospc);
  // Interleaved, as the diff drives its two sides.
  for (int i = 0; i < 2; i++) {
    for (v2::System* system : {&broken, &correct}) {
      const int fd = system->prog_load(ProgType::kSchedCls);
      ProgAttachAttr attr;
      attr.attach_bpf_fd = static_cast<u32>(fd);
      ASSERT_EQ(system->prog_attach(attr), 0);
    }
  }
  EXPECT_EQ(broken.prog_query(QueryAttr{0, 0, 1}).ret, 0) << "query-no-enospc";
  EXPECT_EQ(correct.prog_query(QueryAttr{0, 0, 1}).ret, -ENOSPC);
  EXPECT_EQ(broken.prog_query(QueryAttr{0, 0, 1}).ret, 0);
  EXPECT_EQ(current_mutant(), Mutant::kNone) << "no call in progress: no mutant in force";
}

TEST(MutantInstance, TwoUpstreamSystemsInOneThreadRunTheirOwnMutant) {
  upstream::System broken(Mutant::kUpstreamQueryNullEntryBefore);
  upstream::System correct;
  // Querying a hook that never had an entry: the fix made it count 0, revision 1.
  EXPECT_EQ(broken.prog_query(QueryAttr{0, 0, 4}).ret, -ENOENT);
  EXPECT_EQ(correct.prog_query(QueryAttr{0, 0, 4}).ret, 0);
  attach_two(correct);
  EXPECT_EQ(broken.prog_query(QueryAttr{0, 0, 4}).ret, -ENOENT);
  EXPECT_EQ(correct.prog_query(QueryAttr{0, 0, 1}).ret, -ENOSPC);
  EXPECT_EQ(current_mutant(), Mutant::kNone);
}

TEST(MutantInstance, AScopeInstallsTheMutantAndPutsThePreviousOneBack) {
  SequentialHooks hooks;
  BpfObjects objects;
  {
    KernelScope outer(&hooks, &objects, Mutant::kCommitNoSync);
    EXPECT_TRUE(mutant_active(Mutant::kCommitNoSync));
    {
      KernelScope inner(&hooks, &objects, Mutant::kQueryNoEnospc);
      EXPECT_TRUE(mutant_active(Mutant::kQueryNoEnospc));
    }
    EXPECT_TRUE(mutant_active(Mutant::kCommitNoSync));
  }
  EXPECT_EQ(current_mutant(), Mutant::kNone);
}

}  // namespace
}  // namespace mprogsim
