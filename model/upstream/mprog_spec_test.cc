// SPDX-License-Identifier: GPL-2.0
// Edge cases of the abstract upstream spec, written from the merged code: placement by
// agreeing rules, errno precedence, the 63-program limit on both attach and detach, the
// separate replace_bpf_fd, links, the 64-bit revision, the query without an entry and
// the qdisc's hold. The scenarios in traces/scenarios/upstream/ (the selftests) replay on
// the spec as well (traces/upstream_scenarios_test.cc).
#include "model/upstream/mprog_spec.h"

#include <gtest/gtest.h>

#include "model/uapi.h"
#include "model/upstream/uapi.h"

namespace mprogsim::upstream {
namespace {

class UpstreamSpecTest : public ::testing::Test {
 protected:
  u32 load(ProgType type = ProgType::kSchedCls) {
    const int fd = spec_.prog_load(type);
    EXPECT_GE(fd, 3);
    return static_cast<u32>(fd);
  }
  u32 id(u32 fd) const { return static_cast<u32>(spec_.prog_id(fd)); }
  u32 lid(u32 fd) const { return static_cast<u32>(spec_.link_id(fd)); }

  int attach(u32 fd, u32 flags = 0, u32 relative = 0, u32 replace = 0, u64 expected = 0) {
    return spec_.prog_attach({.attach_bpf_fd = fd,
                              .attach_flags = flags,
                              .relative_fd = relative,
                              .replace_bpf_fd = replace,
                              .expected_revision = expected});
  }
  int detach(u32 fd, u32 flags = 0, u32 relative = 0, u64 expected = 0) {
    return spec_.prog_detach({.attach_bpf_fd = fd,
                              .attach_flags = flags,
                              .relative_fd = relative,
                              .expected_revision = expected});
  }
  int link(u32 fd, u32 flags = 0, u32 relative = 0, u64 expected = 0) {
    return spec_.link_create(
        {.prog_fd = fd, .flags = flags, .relative_fd = relative, .expected_revision = expected});
  }
  int update(u32 link_fd, u32 new_fd, u32 old_fd = 0, u32 flags = 0) {
    return spec_.link_update(
        {.link_fd = link_fd, .new_prog_fd = new_fd, .old_prog_fd = old_fd, .flags = flags});
  }
  QueryResult query(u32 count = 64) { return spec_.prog_query({.count = count}); }
  std::vector<u32> ids(std::initializer_list<u32> fds) const {
    std::vector<u32> out;
    for (u32 fd : fds) out.push_back(id(fd));
    return out;
  }
  std::vector<u32> list() { return query().prog_ids; }
  u64 revision() { return query(0).revision; }
  u64 refs(u32 fd) const { return spec_.prog_info(id(fd)).refcnt; }

  MprogSpec spec_;
};

TEST_F(UpstreamSpecTest, EmptyHookAnswersCountZeroRevisionOne) {
  const QueryResult q = query();
  EXPECT_EQ(q.ret, 0);
  EXPECT_TRUE(q.written);
  EXPECT_EQ(q.count, 0u);
  EXPECT_EQ(q.revision, 1u);
  EXPECT_EQ(spec_.prog_query({.query_flags = 1}).ret, -EINVAL) << "EFFECTIVE passes the "
                                                                  "syscall, not mprog";
  EXPECT_EQ(spec_.prog_query({.query_flags = 2}).ret, -EINVAL);
  EXPECT_EQ(spec_.prog_query({.attach_flags = 1}).ret, -EINVAL);
}

TEST_F(UpstreamSpecTest, PlainAttachAppendsAndPositionsAgree) {
  const u32 p1 = load(), p2 = load(), p3 = load(), p4 = load();
  EXPECT_EQ(attach(p1), 0);
  EXPECT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, BPF_F_BEFORE, p2), 0);
  EXPECT_EQ(list(), ids({p1, p3, p2}));
  // One relative for both rules: in front of and behind it is never one place.
  EXPECT_EQ(attach(p4, BPF_F_BEFORE | BPF_F_AFTER, p3), -ERANGE);
  EXPECT_EQ(attach(p4, BPF_F_BEFORE | BPF_F_AFTER), -ERANGE);
  EXPECT_EQ(attach(p4, BPF_F_AFTER | BPF_F_ID, id(p1)), 0);
  EXPECT_EQ(list(), ids({p1, p4, p3, p2}));
  EXPECT_EQ(revision(), 5u);
}

TEST_F(UpstreamSpecTest, RelativeOrIdWithoutAPositionIsEinval) {
  const u32 p1 = load(), p2 = load();
  ASSERT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p1, 0, p2), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_ID, id(p2)), -EINVAL);
  EXPECT_EQ(attach(p1, BPF_F_ID), -ENOENT) << "id 0 is looked up first";
  EXPECT_EQ(attach(p1, BPF_F_LINK), -EINVAL) << "a link by fd 0";
  EXPECT_EQ(attach(p1, BPF_F_BEFORE, 1), -EINVAL) << "fd 1 is no program";
  EXPECT_EQ(attach(p1, BPF_F_BEFORE, 77), -EBADF);
  EXPECT_EQ(list(), ids({p2}));
}

TEST_F(UpstreamSpecTest, ReplaceUsesItsOwnFdAndIgnoresAPlacelessRelative) {
  const u32 p1 = load(), p2 = load(), p3 = load(), x = load(ProgType::kXdp);
  ASSERT_EQ(attach(p1), 0);
  ASSERT_EQ(attach(p2), 0);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE), -EINVAL) << "replace_bpf_fd 0";
  EXPECT_EQ(attach(p3, BPF_F_REPLACE, 0, x), -EINVAL) << "another type";
  EXPECT_EQ(attach(p3, BPF_F_REPLACE, 0, p3), -ENOENT);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE, 0, p1, 2), -ESTALE);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_BEFORE, 0, p2), -ERANGE);
  EXPECT_EQ(attach(p3, BPF_F_REPLACE | BPF_F_AFTER, p1, p2), 0);
  EXPECT_EQ(list(), ids({p1, p3}));
  EXPECT_EQ(refs(p2), 1u) << "the replaced attach reference goes at once";
  EXPECT_EQ(attach(p2, BPF_F_REPLACE, p1, p3), 0) << "a relative that places nothing is ignored";
  EXPECT_EQ(list(), ids({p1, p2}));
}

TEST_F(UpstreamSpecTest, LimitIsSixtyThreeOnAttachAndOnTheBack) {
  std::vector<u32> fds;
  for (int i = 0; i < 63; i++) {
    fds.push_back(load());
    ASSERT_EQ(attach(fds.back()), 0);
  }
  const u32 extra = load();
  EXPECT_EQ(attach(extra), -ERANGE);
  EXPECT_EQ(attach(extra, BPF_F_BEFORE), -ERANGE);
  EXPECT_EQ(attach(extra, BPF_F_BEFORE, fds.back()), -ERANGE);
  EXPECT_EQ(attach(fds[0], BPF_F_BEFORE), -EEXIST) << "EEXIST first";
  EXPECT_EQ(attach(extra, BPF_F_REPLACE, 0, fds[5]), 0) << "replace needs no slot";
  // "The back" of a full list is place 63: out of range even for a detach.
  EXPECT_EQ(detach(0), -ERANGE);
  EXPECT_EQ(detach(0, BPF_F_AFTER), -ERANGE);
  EXPECT_EQ(detach(0, BPF_F_AFTER, fds.back()), -ERANGE);
  EXPECT_EQ(detach(fds.back()), 0);
  EXPECT_EQ(detach(0), 0);
  EXPECT_EQ(query(0).count, 61u);
}

TEST_F(UpstreamSpecTest, DetachPositionsIncludingTheRelativeItself) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  ASSERT_EQ(attach(p1), 0);
  ASSERT_EQ(attach(p2), 0);
  ASSERT_EQ(attach(p3), 0);
  EXPECT_EQ(detach(p1, BPF_F_AFTER, p2), -ERANGE);
  EXPECT_EQ(detach(p2, BPF_F_AFTER, p1), 0);
  EXPECT_EQ(list(), ids({p1, p3}));
  // In front of the first program is the first program.
  EXPECT_EQ(detach(0, BPF_F_BEFORE, p1), 0);
  EXPECT_EQ(list(), ids({p3}));
  EXPECT_EQ(detach(0, 0, p3), -EINVAL);
  EXPECT_EQ(detach(p3, BPF_F_REPLACE), -EINVAL);
  EXPECT_EQ(detach(0), 0) << "nothing named: the last one";
  EXPECT_EQ(query().count, 0u);
  EXPECT_EQ(detach(0), -ENOENT) << "no entry any more";
}

TEST_F(UpstreamSpecTest, EmptyHeldEntryRefusesDetachBeforeLookingAtRelatives) {
  const u32 p1 = load();
  spec_.miniq_inc();
  EXPECT_EQ(detach(0, BPF_F_BEFORE, 77), -ENOENT) << "not EBADF: the empty check comes first";
  EXPECT_EQ(detach(0, BPF_F_REPLACE), -EINVAL);
  EXPECT_EQ(detach(0, 0, 0, 5), -ESTALE);
  EXPECT_EQ(attach(p1, 0, 0, 0, 1), 0) << "the held entry is at revision 1";
  EXPECT_EQ(detach(p1), 0);
  EXPECT_EQ(revision(), 3u) << "still held, still counting";
  spec_.miniq_dec();
  EXPECT_EQ(revision(), 1u);
}

TEST_F(UpstreamSpecTest, LinksOwnTheirSlots) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  const int l1 = link(p1);
  ASSERT_GE(l1, 3);
  EXPECT_EQ(attach(p2, BPF_F_REPLACE, 0, p1), -EBUSY);
  EXPECT_EQ(detach(p1), -EBUSY);
  EXPECT_EQ(detach(0), -EBUSY);
  EXPECT_EQ(link(p2, BPF_F_REPLACE), -ENOENT) << "a link has nothing to replace";
  EXPECT_GE(link(p2, BPF_F_BEFORE | BPF_F_LINK, static_cast<u32>(l1)), 3);
  EXPECT_EQ(list(), ids({p2, p1}));
  EXPECT_EQ(update(static_cast<u32>(l1), p3, p2, BPF_F_REPLACE), -EPERM);
  EXPECT_EQ(update(static_cast<u32>(l1), p2), -EEXIST);
  EXPECT_EQ(update(static_cast<u32>(l1), p1), 0);
  EXPECT_EQ(revision(), 3u) << "an update to the current program commits nothing";
  EXPECT_EQ(update(static_cast<u32>(l1), p3), 0);
  EXPECT_EQ(list(), ids({p2, p3}));
  EXPECT_EQ(refs(p1), 1u);
  EXPECT_EQ(refs(p3), 2u);
  EXPECT_EQ(spec_.link_detach(static_cast<u32>(l1)), 0);
  EXPECT_EQ(spec_.link_detach(static_cast<u32>(l1)), 0);
  EXPECT_EQ(update(static_cast<u32>(l1), p1), -ENOLINK);
  EXPECT_EQ(refs(p3), 2u) << "a detached link keeps its program";
  EXPECT_EQ(spec_.close_fd(static_cast<u32>(l1)), 0);
  EXPECT_EQ(refs(p3), 1u);
}

TEST_F(UpstreamSpecTest, FailedLinkCreateConsumesAnIdUnlessTheTypeIsWrong) {
  const u32 p1 = load(), x = load(ProgType::kXdp);
  EXPECT_EQ(link(x), -EINVAL);
  EXPECT_EQ(link(p1, BPF_F_BEFORE | BPF_F_AFTER), -ERANGE);  // id 1
  const int l = link(p1);                                    // id 2
  ASSERT_GE(l, 3);
  EXPECT_EQ(lid(static_cast<u32>(l)), 2u);
  EXPECT_TRUE(spec_.link_info(1).freed);
  // The link being created (id 3) cannot be a relative of itself.
  EXPECT_EQ(link(x, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 3), -EINVAL) << "type check first";
  const u32 p2 = load();
  EXPECT_EQ(link(p2, BPF_F_BEFORE | BPF_F_LINK | BPF_F_ID, 3), -EAGAIN);
}

TEST_F(UpstreamSpecTest, RevisionIsSixtyFourBitsAndExpectedRevisionIsCompareInFull) {
  spec_.set_initial_revision(0xffffffffULL);
  const u32 p1 = load(), p2 = load();
  EXPECT_EQ(revision(), 1u) << "no entry: 1, whatever a new bundle starts with";
  EXPECT_EQ(attach(p1, 0, 0, 0, 1), -ESTALE);
  EXPECT_EQ(attach(p1, 0, 0, 0, 0xffffffffULL), 0);
  EXPECT_EQ(revision(), 0x100000000ULL);
  EXPECT_EQ(attach(p2, 0, 0, 0, 0x1ULL), -ESTALE) << "no truncation to 32 bits";
  EXPECT_EQ(attach(p2, 0, 0, 0, 0x100000000ULL), 0);
}

TEST_F(UpstreamSpecTest, QueryBufferRules) {
  const u32 p1 = load(), p2 = load(), p3 = load();
  ASSERT_EQ(attach(p1), 0);
  ASSERT_EQ(attach(p2), 0);
  ASSERT_EQ(attach(p3), 0);
  QueryResult q = query(0);
  EXPECT_EQ(q.ret, 0);
  EXPECT_EQ(q.count, 3u);
  EXPECT_TRUE(q.prog_ids.empty());
  q = query(2);
  EXPECT_EQ(q.ret, -ENOSPC);
  EXPECT_EQ(q.count, 3u);
  EXPECT_EQ(q.prog_ids, ids({p1, p2}));
  EXPECT_EQ(q.prog_attach_flags, (std::vector<u32>{0, 0}));
}

}  // namespace
}  // namespace mprogsim::upstream
