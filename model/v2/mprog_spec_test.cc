// SPDX-License-Identifier: GPL-2.0
// Edge cases of the abstract v2 spec, written from the seed's code: every errno and its
// precedence, the FIRST/LAST rules, the 63-slot limit, revision width and wrap, and
// reference counts. The three examples of shared/scenarios/v2-examples.json come first.
#include "model/v2/mprog_spec.h"

#include <gtest/gtest.h>

#include "model/uapi.h"
#include "model/v2/uapi.h"

namespace mprogsim::v2 {
namespace {

constexpr u32 kNoFd = 0;

class SpecTest : public ::testing::Test {
 protected:
  // Loads a program and returns its fd.
  u32 load(ProgType type = ProgType::kSchedCls) {
    const int fd = spec_.prog_load(type);
    EXPECT_GE(fd, 3);
    return static_cast<u32>(fd);
  }
  u32 id(u32 fd) const { return static_cast<u32>(spec_.prog_id(fd)); }
  u32 lid(u32 fd) const { return static_cast<u32>(spec_.link_id(fd)); }

  int attach(u32 fd, u32 flags = 0, u32 relative = 0, u64 expected_revision = 0) {
    return spec_.prog_attach({.attach_bpf_fd = fd,
                              .attach_flags = flags,
                              .relative_fd = relative,
                              .expected_revision = expected_revision});
  }
  int detach(u32 fd, u32 flags = 0, u32 relative = 0, u64 expected_revision = 0) {
    return spec_.prog_detach({.attach_bpf_fd = fd,
                              .attach_flags = flags,
                              .relative_fd = relative,
                              .expected_revision = expected_revision});
  }
  int link(u32 fd, u32 flags = 0, u32 relative = 0, u64 expected_revision = 0) {
    return spec_.link_create({.prog_fd = fd,
                              .flags = flags,
                              .relative_fd = relative,
                              .expected_revision = expected_revision});
  }
  int update(u32 link_fd, u32 new_fd, u32 old_fd = 0, u32 flags = 0) {
    return spec_.link_update(
        {.link_fd = link_fd, .new_prog_fd = new_fd, .old_prog_fd = old_fd, .flags = flags});
  }

  QueryResult query(u32 count = 64) { return spec_.prog_query({.count = count}); }
  // The attached programs by fd-order of the arguments' ids, for EXPECT_EQ.
  std::vector<u32> ids(std::initializer_list<u32> fds) const {
    std::vector<u32> out;
    for (u32 fd : fds) out.push_back(id(fd));
    return out;
  }
  std::vector<u32> list() { return query().prog_ids; }
  u64 revision() { return query(0).revision; }
  u64 refs(u32 prog_id) const { return spec_.prog_info(prog_id).refcnt; }

  MprogSpec spec_;
};

// v2-01 plain attach appends; every commit bumps the revision.
TEST_F(SpecTest, ExamplePlainAttachAppends) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3), 0);
  const QueryResult q = query();
  EXPECT_EQ(q.ret, 0);
  EXPECT_EQ(q.count, 3u);
  EXPECT_EQ(q.revision, 4u);
  EXPECT_EQ(q.prog_ids, ids({p1, p2, p3}));
  EXPECT_EQ(q.link_ids, (std::vector<u32>{0, 0, 0}));
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{0, 0, 0}));
  EXPECT_EQ(spec_.run(), ids({p1, p2, p3}));
}

// v2-03 BEFORE a prog by fd, AFTER a prog by id.
TEST_F(SpecTest, ExampleBeforeByFdAfterById) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, BPF_F_BEFORE, p2), 0);
  EXPECT_EQ(attach(p4, BPF_F_AFTER | BPF_F_ID, id(p1)), 0);
  EXPECT_EQ(query().count, 4u);
  EXPECT_EQ(revision(), 5u);
  EXPECT_EQ(list(), ids({p1, p4, p3, p2}));
  EXPECT_EQ(spec_.run(), ids({p1, p4, p3, p2}));
}

// v2-10 FIRST: one holder, BEFORE-with-no-relative skips it, BEFORE it is EBUSY.
TEST_F(SpecTest, ExampleFirstHolder) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  EXPECT_EQ(attach(p1, BPF_F_FIRST), 0);
  EXPECT_EQ(attach(p2, BPF_F_FIRST), -EBUSY);
  EXPECT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, BPF_F_BEFORE), 0);
  EXPECT_EQ(attach(p4, BPF_F_BEFORE, p1), -EBUSY);
  const QueryResult q = query();
  EXPECT_EQ(q.count, 3u);
  EXPECT_EQ(q.revision, 4u);
  EXPECT_EQ(q.prog_ids, ids({p1, p3, p2}));
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{BPF_F_FIRST, 0, 0}));
}

TEST_F(SpecTest, EmptyHook) {
  const u32 p1 = load();
  const QueryResult q = query();
  EXPECT_EQ(q.ret, -ENOENT);
  EXPECT_FALSE(q.written);
  EXPECT_TRUE(spec_.run().empty());
  EXPECT_EQ(detach(p1), -ENOENT);
  EXPECT_EQ(detach(kNoFd, BPF_F_FIRST), -ENOENT);
  EXPECT_EQ(spec_.link_detach(p1), -EINVAL);
  EXPECT_EQ(spec_.link_detach(77), -EBADF);
  EXPECT_FALSE(spec_.prog_info(2).exists);
  EXPECT_FALSE(spec_.link_info(1).exists);
  EXPECT_TRUE(spec_.warnings().empty());
  // A failed attach on the bundle it created leaves no entry behind.
  EXPECT_EQ(attach(p1, BPF_F_BEFORE, 99), -EBADF);
  EXPECT_EQ(query().ret, -ENOENT);
}

TEST_F(SpecTest, FdAndIdAllocation) {
  EXPECT_EQ(spec_.prog_load(ProgType::kSchedCls), 3);
  EXPECT_EQ(spec_.prog_load(ProgType::kSchedCls), 4);
  EXPECT_EQ(spec_.close_fd(3), 0);
  EXPECT_EQ(spec_.close_fd(3), -EBADF);
  EXPECT_EQ(spec_.prog_load(ProgType::kSchedCls), 3);  // lowest free, new id
  EXPECT_EQ(spec_.prog_id(3), 3);
  EXPECT_EQ(spec_.prog_id(1), -EINVAL);
  // 0, 1, 2 are open files: closing one works, and later lookups of it say EBADF.
  EXPECT_EQ(spec_.close_fd(1), 0);
  EXPECT_EQ(spec_.close_fd(1), -EBADF);
  EXPECT_EQ(spec_.prog_id(1), -EBADF);
  EXPECT_EQ(spec_.prog_load(ProgType::kSchedCls), 5);  // still from 3 up
  EXPECT_EQ(spec_.prog_id(9), -EBADF);
  EXPECT_TRUE(spec_.prog_info(1).freed);
}

TEST_F(SpecTest, FullListIsSixtyThree) {
  std::vector<u32> fds;
  for (int i = 0; i < 66; ++i) fds.push_back(load());
  for (int i = 0; i < 63; ++i) ASSERT_EQ(attach(fds[i]), 0) << i;
  EXPECT_EQ(query().count, 63u);
  EXPECT_EQ(attach(fds[63]), -ENOSPC);
  EXPECT_EQ(attach(fds[63], BPF_F_FIRST), -ENOSPC);
  EXPECT_EQ(attach(fds[63], BPF_F_LAST), -ENOSPC);
  EXPECT_EQ(link(fds[63]), -ENOSPC);
  // ENOSPC is the first check of a plain attach: before EINVAL and EEXIST.
  EXPECT_EQ(attach(fds[63], BPF_F_BEFORE | BPF_F_AFTER), -ENOSPC);
  EXPECT_EQ(attach(fds[0]), -ENOSPC);
  // ...but FIRST/LAST check EEXIST and EBUSY before space.
  EXPECT_EQ(attach(fds[0], BPF_F_FIRST), -EEXIST);
  // Replace needs no room.
  EXPECT_EQ(attach(fds[63], BPF_F_REPLACE, fds[5]), 0);
  EXPECT_EQ(query().count, 63u);
  EXPECT_EQ(detach(fds[63]), 0);
  EXPECT_EQ(attach(fds[64], BPF_F_LAST), 0);
  EXPECT_EQ(attach(fds[65]), -ENOSPC);
  // Query with a short buffer: ENOSPC, count is the total, only `offered` slots filled.
  const QueryResult q = query(2);
  EXPECT_EQ(q.ret, -ENOSPC);
  EXPECT_TRUE(q.written);
  EXPECT_EQ(q.count, 63u);
  EXPECT_EQ(q.prog_ids, ids({fds[0], fds[1]}));
}

TEST_F(SpecTest, AttachSyscallChecks) {
  const u32 p1 = load(), xdp = load(ProgType::kXdp);
  EXPECT_EQ(attach(99, 1U << 1), -EINVAL);  // unknown flag beats the fd lookup
  EXPECT_EQ(attach(99), -EBADF);
  EXPECT_EQ(attach(0), -EINVAL);
  EXPECT_EQ(attach(xdp), -EINVAL);
  EXPECT_EQ(link(xdp), -EINVAL);
  EXPECT_EQ(link(99), -EBADF);
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(attach(p1), -EEXIST);
  EXPECT_EQ(detach(xdp), -EINVAL);
  EXPECT_EQ(detach(99), -EBADF);
  EXPECT_EQ(detach(p1, 1U << 1), -EINVAL);
  EXPECT_EQ(revision(), 2u);
}

TEST_F(SpecTest, RelativeLookups) {
  const u32 p1 = load(), p2 = load(), xdp = load(ProgType::kXdp);
  ASSERT_EQ(attach(p1), 0);
  // Without REPLACE/BEFORE/AFTER, any relative or ID/LINK is EINVAL.
  EXPECT_EQ(attach(p2, 0, p1), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_ID), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_LINK), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_FIRST, p1), -EINVAL);
  // Program by fd: EBADF, EINVAL (not a program, or wrong type); fd 0 means none.
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, 99), -EBADF);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, 2), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, xdp), -EINVAL);
  // Program by id: id 0 is not "none".
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_ID, 0), -ENOENT);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_ID, 999), -ENOENT);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_ID, id(xdp)), -EINVAL);
  // Link by fd or id: fd 0 is stdin.
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_LINK, 0), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_LINK, p1), -EINVAL);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_LINK, 99), -EBADF);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 0), -ENOENT);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 1), -ENOENT);
  // Relative lookup errors beat the rule's own EINVAL/EEXIST.
  EXPECT_EQ(attach(p1, BPF_F_BEFORE | BPF_F_AFTER, 99), -EBADF);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, 0), 0);  // fd 0: no relative, so prepend
  EXPECT_EQ(list(), ids({p2, p1}));
}

TEST_F(SpecTest, PlainAttachRules) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load(), p5 = load();
  EXPECT_EQ(attach(p1, BPF_F_AFTER), 0);  // no relative on an empty list: append
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_AFTER), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_BEFORE | BPF_F_AFTER), -EINVAL);  // EINVAL before EEXIST
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, p3), -ENOENT);            // relative not attached
  EXPECT_EQ(attach(p2, BPF_F_AFTER), 0);
  EXPECT_EQ(attach(p3, BPF_F_BEFORE), 0);
  EXPECT_EQ(list(), ids({p3, p1, p2}));
  EXPECT_EQ(attach(p4, BPF_F_AFTER | BPF_F_ID, id(p3)), 0);
  EXPECT_EQ(attach(p5, BPF_F_BEFORE | BPF_F_ID, id(p3)), 0);
  EXPECT_EQ(list(), ids({p5, p3, p4, p1, p2}));
  EXPECT_EQ(revision(), 6u);
}

TEST_F(SpecTest, LastSlotStaysLast) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load(), p5 = load();
  EXPECT_EQ(attach(p1, BPF_F_LAST), 0);
  EXPECT_EQ(attach(p2, BPF_F_LAST), -EBUSY);
  EXPECT_EQ(attach(p2), 0);  // appended in front of the LAST slot
  EXPECT_EQ(attach(p3, BPF_F_AFTER, p1), -EBUSY);
  EXPECT_EQ(attach(p3, BPF_F_AFTER), 0);  // last regular is p2
  EXPECT_EQ(attach(p4, BPF_F_BEFORE, p1), 0);
  EXPECT_EQ(list(), ids({p2, p3, p4, p1}));
  // BEFORE without relative takes the first slot not marked FIRST, even a LAST one.
  EXPECT_EQ(attach(p5, BPF_F_FIRST), 0);
  EXPECT_EQ(list(), ids({p5, p2, p3, p4, p1}));
  EXPECT_EQ(query().prog_attach_flags, (std::vector<u32>{BPF_F_FIRST, 0, 0, 0, BPF_F_LAST}));
}

TEST_F(SpecTest, FirstLastFlagPrecedence) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  // FIRST|BEFORE with no relative works only on an empty list...
  EXPECT_EQ(attach(p1, BPF_F_FIRST | BPF_F_BEFORE), 0);
  EXPECT_EQ(detach(p1), 0);
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(attach(p2, BPF_F_FIRST | BPF_F_BEFORE), -EBUSY);
  EXPECT_EQ(attach(p2, BPF_F_FIRST | BPF_F_BEFORE, p3), -EBUSY);  // not the head: EBUSY
  EXPECT_EQ(attach(p2, BPF_F_FIRST | BPF_F_BEFORE, p1), 0);
  EXPECT_EQ(detach(p2), 0);
  EXPECT_EQ(detach(p1), 0);
  // ...while LAST|AFTER with no relative never works on an empty list.
  EXPECT_EQ(attach(p1, BPF_F_LAST | BPF_F_AFTER), -EBUSY);
  EXPECT_EQ(attach(p1, BPF_F_FIRST | BPF_F_AFTER), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_LAST | BPF_F_BEFORE), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_FIRST | BPF_F_LAST | BPF_F_BEFORE), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_FIRST | BPF_F_LAST), 0);
  EXPECT_EQ(attach(p1, BPF_F_FIRST | BPF_F_AFTER), -EEXIST);               // EEXIST comes first
  EXPECT_EQ(attach(p2, BPF_F_FIRST | BPF_F_LAST | BPF_F_BEFORE), -EBUSY);  // head is FIRST
  EXPECT_EQ(attach(p2, BPF_F_LAST | BPF_F_AFTER, p1), -EBUSY);
  // A sole FIRST|LAST slot blocks every append, and that EBUSY beats a missing relative.
  EXPECT_EQ(attach(p2), -EBUSY);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE), -EBUSY);
  EXPECT_EQ(attach(p2, BPF_F_AFTER, p3), -EBUSY);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, p1), -EBUSY);
  EXPECT_EQ(query().prog_attach_flags, (std::vector<u32>{BPF_F_FIRST | BPF_F_LAST}));
  EXPECT_EQ(detach(p1), 0);
  EXPECT_EQ(attach(p1, BPF_F_FIRST), 0);
  EXPECT_EQ(attach(p2, BPF_F_AFTER), 0);  // last regular may be the FIRST slot
  EXPECT_EQ(attach(p3, BPF_F_LAST | BPF_F_AFTER, p2), 0);
  EXPECT_EQ(attach(p4, BPF_F_AFTER, p2), 0);
  EXPECT_EQ(list(), ids({p1, p2, p4, p3}));
}

TEST_F(SpecTest, Replace) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  EXPECT_EQ(attach(p2, BPF_F_REPLACE, p1), -ENOENT);  // on the empty bundle it created
  EXPECT_EQ(query().ret, -ENOENT);
  ASSERT_EQ(attach(p1, BPF_F_FIRST), 0);
  ASSERT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_BEFORE, p1), -EINVAL);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE), -ENOENT);  // fd 0: nothing to replace
  EXPECT_EQ(attach(p2, BPF_F_REPLACE), -EEXIST);
  EXPECT_EQ(attach(p2, BPF_F_REPLACE, p1), -EEXIST);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_FIRST, p2), -EACCES);  // not the head
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_LAST, p1), -EACCES);   // not the tail
  EXPECT_EQ(revision(), 3u);
  // Leaving FIRST out strips it (admin override); in-place replace commits too.
  EXPECT_EQ(attach(p3, BPF_F_REPLACE, p1), 0);
  EXPECT_EQ(revision(), 4u);
  EXPECT_EQ(query().prog_attach_flags, (std::vector<u32>{0, 0}));
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_FIRST | BPF_F_ID, id(p3)), 0);  // itself
  EXPECT_EQ(attach(p2, BPF_F_REPLACE | BPF_F_LAST, p2), 0);
  const QueryResult q = query();
  EXPECT_EQ(q.prog_ids, ids({p3, p2}));
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{BPF_F_FIRST, BPF_F_LAST}));
  EXPECT_EQ(q.revision, 6u);
  EXPECT_EQ(refs(id(p1)), 1u);
  EXPECT_EQ(refs(id(p2)), 2u);
  EXPECT_EQ(refs(id(p3)), 2u);
  // Links and prog attachments never replace each other.
  const int l4 = link(p4);
  ASSERT_GE(l4, 3);
  EXPECT_EQ(attach(p1, BPF_F_REPLACE, p4), -EBUSY);
  EXPECT_EQ(attach(p1, BPF_F_REPLACE | BPF_F_LINK, static_cast<u32>(l4)), -EINVAL);
  EXPECT_EQ(link(p1, BPF_F_REPLACE, p2), -EBUSY);
  EXPECT_EQ(link(p3, BPF_F_REPLACE, p4), -EEXIST);
  EXPECT_EQ(link(p4, BPF_F_REPLACE, p4), -EBUSY);  // itself: no EEXIST, but another link
}

TEST_F(SpecTest, DetachSelectsVictim) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load(), p5 = load();
  ASSERT_EQ(attach(p1, BPF_F_FIRST), 0);
  ASSERT_EQ(attach(p2), 0);
  ASSERT_EQ(attach(p3), 0);
  ASSERT_EQ(attach(p4), 0);
  ASSERT_EQ(attach(p5, BPF_F_LAST), 0);
  EXPECT_EQ(detach(p2, BPF_F_REPLACE), -EINVAL);
  EXPECT_EQ(detach(p2, BPF_F_REPLACE, 99), -EBADF);  // lookup first
  EXPECT_EQ(detach(kNoFd), -ENOENT);
  EXPECT_EQ(detach(p2, 0, p3), -EINVAL);
  EXPECT_EQ(detach(p2, BPF_F_FIRST), -ENOENT);
  EXPECT_EQ(detach(p2, BPF_F_LAST), -ENOENT);
  EXPECT_EQ(detach(p2, BPF_F_BEFORE), -EINVAL);            // a program and a bare position
  EXPECT_EQ(detach(p2, BPF_F_BEFORE, p4), -ENOENT);        // p3 is before p4
  EXPECT_EQ(detach(kNoFd, BPF_F_BEFORE, p1), -ENOENT);     // nothing before the head
  EXPECT_EQ(detach(kNoFd, BPF_F_AFTER, p5), -ENOENT);      // nothing after the tail
  EXPECT_EQ(detach(kNoFd, BPF_F_AFTER, load()), -ENOENT);  // relative not attached
  EXPECT_EQ(revision(), 6u);
  EXPECT_EQ(detach(p3, BPF_F_BEFORE, p4), 0);
  EXPECT_EQ(detach(kNoFd, BPF_F_BEFORE), 0);  // first regular: p2
  EXPECT_EQ(list(), ids({p1, p4, p5}));
  EXPECT_EQ(detach(kNoFd, BPF_F_AFTER), 0);  // last regular: p4
  EXPECT_EQ(list(), ids({p1, p5}));
  EXPECT_EQ(detach(kNoFd, BPF_F_FIRST | BPF_F_LAST), -ENOENT);  // head != tail
  EXPECT_EQ(detach(kNoFd, BPF_F_BEFORE), 0);  // "first regular" is the LAST slot p5
  EXPECT_EQ(list(), ids({p1}));
  EXPECT_EQ(detach(kNoFd, BPF_F_BEFORE), -ENOENT);  // only a FIRST slot left
  EXPECT_EQ(detach(p1, BPF_F_FIRST | BPF_F_LAST), 0);
  EXPECT_EQ(query().ret, -ENOENT);  // the last detach released the entry
  // FIRST/LAST in detach name a position, not the flag: they take regular slots too.
  ASSERT_EQ(attach(p1), 0);
  ASSERT_EQ(attach(p2), 0);
  ASSERT_EQ(attach(p3), 0);
  EXPECT_EQ(detach(kNoFd, BPF_F_FIRST), 0);
  EXPECT_EQ(detach(kNoFd, BPF_F_AFTER, p2), 0);
  EXPECT_EQ(list(), ids({p2}));
  EXPECT_EQ(revision(), 6u);  // a new bundle started at 1 again
}

TEST_F(SpecTest, ExpectedRevision) {
  const u32 p1 = load(), p2 = load();
  EXPECT_EQ(attach(p1, 0, 0, 2), -ESTALE);  // a new bundle is at revision 1
  EXPECT_EQ(attach(p1, 0, 0, 1), 0);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE, 99, 1), -ESTALE);  // ESTALE before the lookup
  EXPECT_EQ(attach(p2, 0, 0, 2 + (u64{1} << 32)), 0);   // the uapi field is a u32
  EXPECT_EQ(detach(p2, 0, 0, 2), -ESTALE);
  EXPECT_EQ(detach(p2, 0, 0, 3), 0);
  EXPECT_EQ(link(p2, 0, 0, 3), -ESTALE);
  EXPECT_GE(link(p2, 0, 0, 4), 3);
  EXPECT_EQ(spec_.prog_detach({.attach_bpf_fd = 99, .expected_revision = 1}), -EBADF);
}

TEST_F(SpecTest, RevisionWrapsPastZero) {
  spec_.set_initial_revision(0xFFFFFFFFu);
  const u32 p1 = load(), p2 = load();
  spec_.miniq_inc();
  EXPECT_EQ(revision(), 0xFFFFFFFFu);
  EXPECT_EQ(attach(p1, 0, 0, 0xFFFFFFFFu), -ESTALE);  // reads back as -1
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(revision(), 1u);
  EXPECT_EQ(attach(p2, 0, 0, 1), 0);
  EXPECT_EQ(revision(), 2u);
}

TEST_F(SpecTest, RevisionFromTwoToThe31IsAlwaysStale) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  spec_.set_initial_revision(0x7FFFFFFFu);
  EXPECT_EQ(attach(p1, 0, 0, 0x7FFFFFFFu), 0);
  EXPECT_EQ(revision(), 0x80000000u);  // query reports it right
  EXPECT_EQ(attach(p2, 0, 0, 0x80000000u), -ESTALE);
  EXPECT_EQ(detach(p1, 0, 0, 0x80000000u), -ESTALE);
  EXPECT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, 0, 0, 0x80000001u), -ESTALE);
  // The knob keeps 32 bits, as atomic_t does.
  MprogSpec other;
  other.set_initial_revision((u64{1} << 32) + 5);
  other.miniq_inc();
  EXPECT_EQ(other.prog_query({}).revision, 5u);
}

TEST_F(SpecTest, QueryFlagsAndArrays) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  EXPECT_EQ(spec_.prog_query({.query_flags = 2}).ret, -EINVAL);  // syscall mask
  EXPECT_EQ(spec_.prog_query({.query_flags = 1}).ret, -ENOENT);
  ASSERT_EQ(attach(p1, BPF_F_FIRST), 0);
  const int l2 = link(p2);
  ASSERT_GE(l2, 3);
  const int l3 = link(p3, BPF_F_LAST);
  ASSERT_GE(l3, 3);
  EXPECT_EQ(spec_.prog_query({.query_flags = 1}).ret, -EINVAL);
  const QueryResult bad = spec_.prog_query({.attach_flags = 1, .count = 8});
  EXPECT_EQ(bad.ret, -EINVAL);
  EXPECT_FALSE(bad.written);
  const QueryResult q = query();
  EXPECT_EQ(q.ret, 0);
  EXPECT_EQ(q.prog_ids, ids({p1, p2, p3}));
  EXPECT_EQ(q.link_ids, (std::vector<u32>{0, lid(l2), lid(l3)}));
  // Each slot's flags go only into the array of its kind (finding F4): the other
  // element keeps what the caller had there.
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{BPF_F_FIRST, kQueryUnwritten, kQueryUnwritten}));
  EXPECT_EQ(q.link_attach_flags, (std::vector<u32>{kQueryUnwritten, 0, BPF_F_LAST}));
  const QueryResult counted = query(0);
  EXPECT_EQ(counted.ret, 0);
  EXPECT_EQ(counted.count, 3u);
  EXPECT_EQ(counted.revision, 4u);
  EXPECT_TRUE(counted.prog_ids.empty());
}

TEST_F(SpecTest, EmptyEntryHeldByQdisc) {
  const u32 p1 = load(), p2 = load();
  spec_.miniq_inc();
  EXPECT_EQ(spec_.miniq_holds(), 1u);
  QueryResult q = query();
  EXPECT_EQ(q.ret, 0);
  EXPECT_EQ(q.count, 0u);
  EXPECT_EQ(q.revision, 1u);
  EXPECT_TRUE(q.prog_ids.empty());
  // Detaching anything named from the empty entry "succeeds" and commits.
  EXPECT_EQ(detach(p1), 0);
  EXPECT_EQ(revision(), 2u);
  EXPECT_EQ(refs(id(p1)), 1u);
  EXPECT_EQ(detach(kNoFd), -ENOENT);
  EXPECT_EQ(detach(kNoFd, BPF_F_FIRST), -ENOENT);
  // The entry outlives its last program while held, and its revision keeps counting.
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(detach(p1), 0);
  EXPECT_EQ(revision(), 4u);
  EXPECT_EQ(attach(p2), 0);
  spec_.miniq_dec();
  EXPECT_EQ(revision(), 5u);  // still has a program
  EXPECT_EQ(detach(p2), 0);
  EXPECT_EQ(query().ret, -ENOENT);
  spec_.miniq_inc();
  spec_.miniq_dec();
  EXPECT_EQ(query().ret, -ENOENT);
  EXPECT_TRUE(spec_.run().empty());
}

TEST_F(SpecTest, ProgRefcounts) {
  const u32 p1 = load(), p2 = load();
  const u32 id1 = id(p1), id2 = id(p2);
  EXPECT_EQ(refs(id1), 1u);
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(refs(id1), 2u);
  EXPECT_EQ(attach(p1), -EEXIST);
  EXPECT_EQ(refs(id1), 2u);
  EXPECT_EQ(spec_.close_fd(p1), 0);
  EXPECT_EQ(refs(id1), 1u);
  EXPECT_FALSE(spec_.prog_info(id1).freed);
  EXPECT_EQ(attach(p2, BPF_F_BEFORE | BPF_F_ID, id1), 0);  // found by id while alive
  EXPECT_EQ(detach(kNoFd, BPF_F_AFTER | BPF_F_ID, id2), 0);
  EXPECT_EQ(refs(id1), 0u);
  EXPECT_TRUE(spec_.prog_info(id1).freed);
  EXPECT_EQ(detach(kNoFd, BPF_F_BEFORE | BPF_F_ID, id1), -ENOENT);  // freed: gone by id
  EXPECT_EQ(spec_.prog_id(p1), -EBADF);
  EXPECT_EQ(refs(id2), 2u);
}

TEST_F(SpecTest, LinkLifecycleAndRefcounts) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  const u32 id1 = id(p1), id2 = id(p2);
  const int l1 = link(p1, BPF_F_FIRST);
  ASSERT_EQ(l1, 6);
  EXPECT_EQ(lid(l1), 1u);
  EXPECT_EQ(refs(id1), 2u);
  EXPECT_EQ(spec_.link_info(1).refcnt, 1u);
  // A failed create consumes a link id, not an fd.
  EXPECT_EQ(link(p2, BPF_F_FIRST), -EBUSY);
  EXPECT_TRUE(spec_.link_info(2).exists);
  EXPECT_TRUE(spec_.link_info(2).freed);
  EXPECT_EQ(refs(id2), 1u);
  const int l3 = link(p2);
  ASSERT_EQ(l3, 7);
  EXPECT_EQ(lid(l3), 3u);
  // Prog-API detach cannot take a link's slot.
  EXPECT_EQ(detach(p2), -EBUSY);
  EXPECT_EQ(detach(kNoFd, BPF_F_FIRST), -EBUSY);
  // Relative by link, by fd and id; a link relative needs the link in the slot.
  EXPECT_EQ(attach(p3, BPF_F_AFTER | BPF_F_LINK, static_cast<u32>(l1)), 0);
  EXPECT_EQ(list(), ids({p1, p3, p2}));
  EXPECT_EQ(detach(p3, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 3), 0);
  EXPECT_EQ(revision(), 5u);
  // Detach keeps the link (and its prog reference) until its fd is closed.
  EXPECT_EQ(spec_.link_detach(l3), 0);
  EXPECT_EQ(spec_.link_detach(l3), 0);  // again: nothing to do
  EXPECT_EQ(revision(), 6u);
  EXPECT_EQ(refs(id2), 2u);
  EXPECT_EQ(spec_.link_info(3).refcnt, 1u);
  EXPECT_EQ(update(l3, p3), -ENOLINK);
  EXPECT_EQ(attach(p2), 0);  // the program can be attached again, by the prog API
  EXPECT_EQ(attach(p3, BPF_F_AFTER | BPF_F_LINK, static_cast<u32>(l3)), -ENOENT);
  EXPECT_EQ(spec_.close_fd(l3), 0);
  EXPECT_EQ(refs(id2), 2u);  // fd + prog attach
  EXPECT_TRUE(spec_.link_info(3).freed);
  EXPECT_EQ(attach(p3, BPF_F_AFTER | BPF_F_LINK | BPF_F_ID, 3), -ENOENT);
  // Closing an attached link's fd detaches it (with its FIRST as detach flag).
  EXPECT_EQ(spec_.close_fd(l1), 0);
  EXPECT_EQ(list(), ids({p2}));
  EXPECT_EQ(refs(id1), 1u);
  EXPECT_EQ(spec_.close_fd(p1), 0);
  EXPECT_TRUE(spec_.prog_info(id1).freed);
  EXPECT_TRUE(spec_.warnings().empty());
}

TEST_F(SpecTest, LinkUpdate) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  const u32 unspec = load(ProgType::kUnspec), xdp = load(ProgType::kXdp);
  const int l1 = link(p1, BPF_F_LAST);
  ASSERT_GE(l1, 3);
  const u32 lf = static_cast<u32>(l1);
  ASSERT_EQ(attach(p2, BPF_F_FIRST), 0);
  EXPECT_EQ(update(lf, p3, 0, 1U << 1), -EINVAL);
  EXPECT_EQ(update(p1, p3), -EINVAL);
  EXPECT_EQ(update(99, p3), -EBADF);
  EXPECT_EQ(update(lf, 99), -EBADF);
  EXPECT_EQ(update(lf, p3, p1), -EINVAL);  // old fd without REPLACE
  EXPECT_EQ(update(lf, p3, 99, BPF_F_REPLACE), -EBADF);
  EXPECT_EQ(update(lf, p3, p2, BPF_F_REPLACE), -EPERM);
  EXPECT_EQ(update(lf, p1), 0);  // no-op: no commit
  EXPECT_EQ(revision(), 3u);
  EXPECT_EQ(update(lf, p2), -EEXIST);
  EXPECT_EQ(update(lf, xdp), -EINVAL);
  EXPECT_EQ(update(lf, p3, p1, BPF_F_REPLACE), 0);
  EXPECT_EQ(revision(), 4u);
  const QueryResult q = query();
  EXPECT_EQ(q.prog_ids, ids({p2, p3}));
  EXPECT_EQ(q.link_attach_flags, (std::vector<u32>{kQueryUnwritten, BPF_F_LAST}));
  EXPECT_EQ(refs(id(p1)), 1u);
  EXPECT_EQ(refs(id(p3)), 2u);
  // A link relative follows the link's current program.
  EXPECT_EQ(attach(p4, BPF_F_BEFORE | BPF_F_LINK, lf), 0);
  EXPECT_EQ(list(), ids({p2, p4, p3}));
  // The only type check is against the relative, so an UNSPEC program goes in.
  EXPECT_EQ(update(lf, unspec), 0);
  EXPECT_EQ(spec_.run(), ids({p2, p4, unspec}));
  EXPECT_EQ(spec_.close_fd(lf), 0);
  EXPECT_EQ(list(), ids({p2, p4}));
  EXPECT_EQ(refs(id(unspec)), 1u);
  EXPECT_EQ(refs(id(p3)), 1u);
}

TEST_F(SpecTest, LinkCreateTakesAnyFlagBits) {
  // BPF_PROG_ATTACH masks its flags; BPF_LINK_CREATE passes them to mprog unchecked.
  const u32 p1 = load(), p2 = load();
  EXPECT_EQ(attach(p1, 1U << 1), -EINVAL);
  EXPECT_GE(link(p1, 1U << 1), 3);
  EXPECT_EQ(link(p2, BPF_F_ID), -EINVAL);  // but tuple_relative still checks ID/LINK
  EXPECT_EQ(list(), ids({p1}));
}

TEST_F(SpecTest, LinkCreateSeesItselfUnsettled) {
  const u32 p1 = load(), p2 = load();
  ASSERT_EQ(attach(p1), 0);
  // Its own id is allocated but not yet published: EAGAIN; its fd is not installed.
  EXPECT_EQ(link(p2, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 1), -EAGAIN);
  EXPECT_EQ(link(p2, BPF_F_BEFORE | BPF_F_LINK, 5), -EBADF);
  EXPECT_EQ(link(p2, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 2), -ENOENT);  // a failed id
  EXPECT_EQ(link(p2, BPF_F_BEFORE, p1), 5);
  EXPECT_EQ(lid(5), 4u);
}

}  // namespace
}  // namespace mprogsim::v2
