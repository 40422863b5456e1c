// SPDX-License-Identifier: GPL-2.0
#include "tools/export_selftest.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <utility>

#include "scenario/scenario_names.h"

namespace mprogsim::tools {
namespace {

// What every exported file starts with: includes, the ASSERT_* macros when outside
// test_progs, and for libbpf before 1.3 (Debian 12 ships 1.1, with 6.1 uapi headers)
// the tcx attach type, the mprog flags and libbpf 1.3's opts and calls, written here
// over bpf(2) with the Linux 6.6 attribute layout. The test body is the same either way.
constexpr const char* kPrologue = R"(#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

#ifdef MPROGSIM_IN_TEST_PROGS
#include "test_progs.h"
#else
static int mprogsim_failures;
#ifndef ASSERT_EQ
#define ASSERT_EQ(actual, expected, name) ({					\
	long long ___act = (long long)(actual), ___exp = (long long)(expected);	\
	bool ___ok = ___act == ___exp;						\
	if (!___ok) {								\
		fprintf(stderr, "FAIL %s: got %lld, expected %lld\n", (name),	\
			___act, ___exp);					\
		mprogsim_failures++;						\
	}									\
	___ok;									\
})
#endif
#ifndef ASSERT_GE
#define ASSERT_GE(actual, expected, name) ({					\
	long long ___act = (long long)(actual), ___exp = (long long)(expected);	\
	bool ___ok = ___act >= ___exp;						\
	if (!___ok) {								\
		fprintf(stderr, "FAIL %s: got %lld, expected >= %lld\n", (name),	\
			___act, ___exp);					\
		mprogsim_failures++;						\
	}									\
	___ok;									\
})
#endif
#endif /* MPROGSIM_IN_TEST_PROGS */

#ifndef BPF_F_BEFORE
#define BPF_F_BEFORE	(1U << 3)
#define BPF_F_AFTER	(1U << 4)
#define BPF_F_ID	(1U << 5)
#endif
#ifndef BPF_F_LINK
#define BPF_F_LINK	(1U << 13)
#endif

#if LIBBPF_MAJOR_VERSION < 1 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION < 3)
/* libbpf before 1.3 knows no tcx. The names below are libbpf 1.3's; the calls go to
 * bpf(2) directly, with the attribute layout of Linux 6.6. */
#ifndef __NR_bpf
#error "no __NR_bpf: this test needs the bpf(2) system call"
#endif
#define BPF_TCX_INGRESS		46	/* enum bpf_attach_type as of Linux 6.6 */
#define BPF_TCX_EGRESS		47
#define bpf_prog_attach_opts	mprogsim_prog_attach_opts
#define bpf_prog_detach_opts	mprogsim_prog_detach_opts
#define bpf_prog_query_opts	mprogsim_prog_query_opts
#define bpf_link_create_opts	mprogsim_link_create_opts
#define bpf_link_create		mprogsim_link_create

struct bpf_prog_attach_opts {
	size_t sz;
	__u32 flags;
	union {
		int replace_prog_fd;
		int replace_fd;
	};
	int relative_fd;
	__u32 relative_id;
	__u64 expected_revision;
};

struct bpf_prog_detach_opts {
	size_t sz;
	__u32 flags;
	int relative_fd;
	__u32 relative_id;
	__u64 expected_revision;
};

struct bpf_prog_query_opts {
	size_t sz;
	__u32 query_flags;
	__u32 attach_flags;
	__u32 *prog_ids;
	union {
		__u32 prog_cnt;
		__u32 count;
	};
	__u32 *prog_attach_flags;
	__u32 *link_ids;
	__u32 *link_attach_flags;
	__u64 revision;
};

struct bpf_link_create_opts {
	size_t sz;
	__u32 flags;
	struct {
		__u32 relative_fd;
		__u32 relative_id;
		__u64 expected_revision;
	} tcx;
};

/* union bpf_attr for BPF_PROG_ATTACH/DETACH, BPF_PROG_QUERY and BPF_LINK_CREATE (tcx) */
struct mprogsim_attach_attr {
	__u32 target_ifindex, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd;
	__u32 relative_fd_or_id;
	__u64 expected_revision;
};

struct mprogsim_query_attr {
	__u32 target_ifindex, attach_type, query_flags, attach_flags;
	__u64 prog_ids;
	__u32 count, unused;
	__u64 prog_attach_flags, link_ids, link_attach_flags, revision;
};

struct mprogsim_link_create_attr {
	__u32 prog_fd, target_ifindex, attach_type, flags;
	__u32 relative_fd_or_id, unused;
	__u64 expected_revision;
};

static inline int mprogsim_sys_bpf(int cmd, void *attr, unsigned int size)
{
	long ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : (int)ret;
}

/* As libbpf 1.3: a relative id sets BPF_F_ID; giving both an fd and an id is EINVAL. */
static inline int mprogsim_relative(__u32 *flags, int relative_fd, __u32 relative_id, __u32 *out)
{
	if (relative_fd && relative_id)
		return -EINVAL;
	if (relative_id) {
		*flags |= BPF_F_ID;
		*out = relative_id;
	} else {
		*out = relative_fd;
	}
	return 0;
}

static inline int bpf_prog_attach_opts(int prog_fd, int target, int type,
				const struct bpf_prog_attach_opts *opts)
{
	struct mprogsim_attach_attr attr = {
		.target_ifindex = target, .attach_bpf_fd = prog_fd, .attach_type = type,
		.attach_flags = opts->flags, .replace_bpf_fd = opts->replace_prog_fd,
		.expected_revision = opts->expected_revision,
	};
	int err = mprogsim_relative(&attr.attach_flags, opts->relative_fd, opts->relative_id,
				    &attr.relative_fd_or_id);

	return err ? err : mprogsim_sys_bpf(BPF_PROG_ATTACH, &attr, sizeof(attr));
}

static inline int bpf_prog_detach_opts(int prog_fd, int target, int type,
				const struct bpf_prog_detach_opts *opts)
{
	struct mprogsim_attach_attr attr = {
		.target_ifindex = target, .attach_bpf_fd = prog_fd, .attach_type = type,
		.attach_flags = opts->flags, .expected_revision = opts->expected_revision,
	};
	int err = mprogsim_relative(&attr.attach_flags, opts->relative_fd, opts->relative_id,
				    &attr.relative_fd_or_id);

	return err ? err : mprogsim_sys_bpf(BPF_PROG_DETACH, &attr, sizeof(attr));
}

/* As libbpf: count, revision and attach_flags are copied back whatever the result. */
static inline int bpf_prog_query_opts(int target, int type, struct bpf_prog_query_opts *opts)
{
	struct mprogsim_query_attr attr = {
		.target_ifindex = target, .attach_type = type, .query_flags = opts->query_flags,
		.prog_ids = (__u64)(unsigned long)opts->prog_ids, .count = opts->count,
		.prog_attach_flags = (__u64)(unsigned long)opts->prog_attach_flags,
		.link_ids = (__u64)(unsigned long)opts->link_ids,
		.link_attach_flags = (__u64)(unsigned long)opts->link_attach_flags,
	};
	int err = mprogsim_sys_bpf(BPF_PROG_QUERY, &attr, sizeof(attr));

	opts->attach_flags = attr.attach_flags;
	opts->count = attr.count;
	opts->revision = attr.revision;
	return err;
}

static inline int bpf_link_create(int prog_fd, int target, int type,
			   const struct bpf_link_create_opts *opts)
{
	struct mprogsim_link_create_attr attr = {
		.prog_fd = prog_fd, .target_ifindex = target, .attach_type = type,
		.flags = opts->flags, .expected_revision = opts->tcx.expected_revision,
	};
	int err = mprogsim_relative(&attr.flags, opts->tcx.relative_fd, opts->tcx.relative_id,
				    &attr.relative_fd_or_id);

	return err ? err : mprogsim_sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
}
#endif /* libbpf before 1.3 */

/* What the scenario format passes for a name with no open object (a closed fd, a load
 * or link_attach that failed): a number no file and no object has. */
#define NO_SUCH_FD	0x7fffffff
#define NO_SUCH_ID	0x7fffffffU
/* A query buffer never needs more slots than a tcx hook holds programs. */
#define MPROG_MAX	64

static inline int mprogsim_load(enum bpf_prog_type type, const char *name)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(type, name, "GPL", insns, 2, NULL);
}

static inline __u32 mprogsim_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static inline __u32 mprogsim_link_id(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static inline int mprogsim_close(int fd)
{
	return close(fd) ? -errno : 0;
}

/* Leaves the hook as it was found: closes the links still open (which detaches them),
 * then detaches every program still attached through the prog API. */
static inline void mprogsim_cleanup(int target, const int *link_fds, int nr_links)
{
	__u32 prog_ids[MPROG_MAX], link_ids[MPROG_MAX];
	LIBBPF_OPTS(bpf_prog_query_opts, optq, .prog_ids = prog_ids, .link_ids = link_ids,
		    .count = MPROG_MAX);
	__u32 i;

	for (i = 0; i < (__u32)nr_links; i++)
		if (link_fds[i] >= 0 && link_fds[i] != NO_SUCH_FD)
			close(link_fds[i]);
	if (bpf_prog_query_opts(target, BPF_TCX_INGRESS, &optq))
		return;
	for (i = 0; i < optq.count && i < MPROG_MAX; i++) {
		LIBBPF_OPTS(bpf_prog_detach_opts, optd);
		int fd;

		if (link_ids[i])
			continue;
		fd = bpf_prog_get_fd_by_id(prog_ids[i]);
		if (fd < 0)
			continue;
		bpf_prog_detach_opts(fd, target, BPF_TCX_INGRESS, &optd);
		close(fd);
	}
}
)";

// An identifier for C from a file stem: [a-z0-9_], not starting with a digit.
std::string c_identifier(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "s" + out;
  if (out.size() > 48) out.resize(48);
  return out;
}

// A C string literal of any text (names and steps are echoed into assertion names).
std::string c_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
      out += "\"\"";  // ends the hex escape
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A comment's text: no "*/" can end it early, no "/*" nests one.
std::string c_comment(std::string text) {
  for (std::size_t at; (at = text.find("*/")) != std::string::npos;) text.replace(at, 2, "* /");
  for (std::size_t at; (at = text.find("/*")) != std::string::npos;) text.replace(at, 2, "/ *");
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

std::string flag_expression(const std::vector<std::string>& names) {
  static const std::map<std::string, std::string> kFlags = {
      {"REPLACE", "BPF_F_REPLACE"}, {"BEFORE", "BPF_F_BEFORE"}, {"AFTER", "BPF_F_AFTER"},
      {"ID", "BPF_F_ID"},           {"LINK", "BPF_F_LINK"},
  };
  std::vector<std::string> parts;
  for (const auto& name : names) {
    auto it = kFlags.find(name);
    if (it == kFlags.end()) throw ExportError("flag '" + name + "' does not exist upstream");
    if (std::find(parts.begin(), parts.end(), it->second) == parts.end()) {
      parts.push_back(it->second);
    }
  }
  if (parts.empty()) return "0";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " | ") + p;
  return out;
}

// The value a C expression compares a result with: 0 or -ERRNO.
std::string expected_return(const std::string& expect) {
  if (expect == "OK") return "0";
  bool ok = expect.size() > 1 && expect[0] == 'E';
  for (char c : expect)
    ok = ok && (std::isupper(static_cast<unsigned char>(c)) ||
                std::isdigit(static_cast<unsigned char>(c)));
  if (!ok) throw ExportError("expect '" + expect + "' is not an errno name");
  return "-" + expect;
}

class Writer {
 public:
  // `prefix` starts every assertion's name ("scenario 3 " in a file of several).
  Writer(const Scenario& scenario, std::ostringstream& out, std::string prefix)
      : s_(scenario), out_(out), prefix_(std::move(prefix)) {}

  void function(const std::string& name) {
    collect_names();
    out_ << "\n/* " << c_comment(s_.name.empty() ? "(unnamed scenario)" : s_.name) << " */\n";
    out_ << "void " << name << "(void)\n{\n";
    out_ << "\tint loopback = if_nametoindex(\"lo\");\n";
    out_ << "\tint err __attribute__((unused));\n";  // a file may check nothing
    for (const auto& n : names_) {
      out_ << "\tint fd_" << n << " = NO_SUCH_FD;\n\t__u32 id_" << n
           << " __attribute__((unused)) = NO_SUCH_ID;\n";
    }
    if (unnamed_links_ > 0) {
      out_ << "\tint unnamed_links[" << unnamed_links_ << "] = {";
      for (int i = 0; i < unnamed_links_; i++) out_ << (i ? ", " : "") << "-1";
      out_ << "};\n";
    }
    if (needs_qdisc_) {
      out_ << "\tLIBBPF_OPTS(bpf_tc_hook, qdisc, .attach_point = BPF_TC_INGRESS);\n";
    }
    out_ << "\n\tif (!ASSERT_GE(loopback, 1, \"if_nametoindex(lo)\"))\n\t\treturn;\n";
    if (needs_qdisc_) out_ << "\tqdisc.ifindex = loopback;\n";
    out_ << "\t{\n"
            "\t\tLIBBPF_OPTS(bpf_prog_query_opts, optq);\n\n"
            "\t\tbpf_prog_query_opts(loopback, BPF_TCX_INGRESS, &optq);\n"
            "\t\tif (!ASSERT_EQ(optq.count, 0, \"the tcx ingress hook of lo starts empty "
            "(run in a fresh network namespace)\"))\n"
            "\t\t\treturn;\n"
            "\t}\n";
    int held = 0;
    int unnamed = 0;
    for (std::size_t i = 0; i < s_.steps.size(); i++) {
      step(s_.steps[i], i + 1, &held, &unnamed);
    }
    out_ << "\n\t/* cleanup */\n";
    if (held > 0) {
      out_ << "\tqdisc.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;\n"
              "\tbpf_tc_hook_destroy(&qdisc);\n";
    }
    out_ << "\t{\n\t\tconst int link_fds[] = {-1";
    for (const auto& n : link_names_) out_ << ", fd_" << n;
    for (int i = 0; i < unnamed_links_; i++) out_ << ", unnamed_links[" << i << "]";
    out_ << "};\n\n\t\tmprogsim_cleanup(loopback, link_fds, sizeof(link_fds) / "
            "sizeof(link_fds[0]));\n"
            "\t}\n";
    for (const auto& n : prog_names_) {
      out_ << "\tif (fd_" << n << " != NO_SUCH_FD)\n\t\tclose(fd_" << n << ");\n";
    }
    out_ << "}\n";
  }

 private:
  void collect_names() {
    for (const auto& step : s_.steps) {
      if (step.op == StepOp::kLoad) {
        names_.push_back(*step.prog);
        prog_names_.push_back(*step.prog);
      }
      if (step.op == StepOp::kLinkAttach) {
        if (step_binds(step)) {
          names_.push_back(*step.link);
          link_names_.push_back(*step.link);
        } else {
          unnamed_links_++;
        }
      }
      if (step.op == StepOp::kMiniqInc) needs_qdisc_ = true;
    }
  }

  std::string label(std::size_t number, const Step& step) const {
    std::string text = prefix_ + "step " + std::to_string(number) + ": " + step_op_name(step.op);
    if (step.link) text += " " + *step.link;
    if (step.prog) text += " " + *step.prog;
    return text;
  }

  // The relative object's opts fields and the flags it implies (as the runner sets
  // them: BPF_F_LINK from kind, BPF_F_ID from by), for `prefix` "" or "tcx.".
  static void relative(const Relative& r, const std::string& prefix,
                       std::vector<std::string>* fields, std::vector<std::string>* flags) {
    if (r.kind == Relative::Kind::kNone) return;
    if (r.kind == Relative::Kind::kLink) flags->push_back("LINK");
    if (r.by_id) flags->push_back("ID");
    std::string value;
    if (r.raw) {
      value = std::to_string(*r.raw) + "U";
    } else {
      value = (r.by_id ? "id_" : "fd_") + *r.name;
    }
    fields->push_back("." + prefix + (r.by_id ? "relative_id = " : "relative_fd = ") + value);
  }

  void opts(const char* type, const char* name, const std::vector<std::string>& fields) {
    out_ << "\t\tLIBBPF_OPTS(" << type << ", " << name;
    for (const auto& f : fields) out_ << ",\n\t\t\t" << f;
    out_ << ");\n\n";
  }

  void expect(const Step& step, const std::string& what, const std::string& tag) {
    if (!step.expect) return;
    out_ << "\t\tASSERT_EQ(" << what << ", " << expected_return(*step.expect) << ", "
         << c_string(tag) << ");\n";
  }

  void step(const Step& step, std::size_t number, int* held, int* unnamed) {
    const std::string tag = label(number, step);
    out_ << "\n\t/* " << c_comment(tag) << " */\n";
    switch (step.op) {
      case StepOp::kLoad:
        out_ << "\tfd_" << *step.prog << " = mprogsim_load("
             << (step.prog_type == "xdp" ? "BPF_PROG_TYPE_XDP" : "BPF_PROG_TYPE_SCHED_CLS") << ", "
             << c_string(step.prog->substr(0, 15)) << ");\n"
             << "\tif (ASSERT_GE(fd_" << *step.prog << ", 0, " << c_string(tag) << "))\n"
             << "\t\tid_" << *step.prog << " = mprogsim_prog_id(fd_" << *step.prog << ");\n"
             << "\telse\n\t\tfd_" << *step.prog << " = NO_SUCH_FD;\n";
        return;
      case StepOp::kAttach:
        attach(step, tag);
        return;
      case StepOp::kDetach:
        detach(step, tag);
        return;
      case StepOp::kLinkAttach:
        link_attach(step, tag, unnamed);
        return;
      case StepOp::kLinkUpdate: {
        std::vector<std::string> fields;
        if (step.old_prog) {
          fields = {".flags = BPF_F_REPLACE", ".old_prog_fd = fd_" + *step.old_prog};
        }
        out_ << "\t{\n";
        opts("bpf_link_update_opts", "optu", fields);
        out_ << "\t\terr = bpf_link_update(fd_" << *step.link << ", fd_" << *step.prog
             << ", &optu);\n";
        expect(step, "err", tag);
        out_ << "\t}\n";
        return;
      }
      case StepOp::kLinkDetach:
        out_ << "\terr = bpf_link_detach(fd_" << *step.link << ");\n";
        if (step.expect) {
          out_ << "\tASSERT_EQ(err, " << expected_return(*step.expect) << ", " << c_string(tag)
               << ");\n";
        }
        return;
      case StepOp::kQuery:
        query(step, tag);
        return;
      case StepOp::kProgClose:
        out_ << "\tif (fd_" << *step.prog << " != NO_SUCH_FD)\n\t\tclose(fd_" << *step.prog
             << ");\n\tfd_" << *step.prog << " = NO_SUCH_FD;\n";
        return;
      case StepOp::kLinkClose:
        out_ << "\terr = mprogsim_close(fd_" << *step.link << ");\n";
        if (step.expect) {
          out_ << "\tASSERT_EQ(err, " << expected_return(*step.expect) << ", " << c_string(tag)
               << ");\n";
        }
        out_ << "\tfd_" << *step.link << " = NO_SUCH_FD;\n";
        return;
      case StepOp::kMiniqInc:
        miniq_inc(tag, held);
        return;
      case StepOp::kMiniqDec:
        miniq_dec(tag, held);
        return;
      case StepOp::kRun:
        run_comment(step);
        return;
      case StepOp::kRefs:
        out_ << "\t/* reference counts: not observable from user space */\n";
        return;
    }
  }

  void attach(const Step& step, const std::string& tag) {
    std::vector<std::string> fields, flags = step.flags;
    relative(step.relative, "", &fields, &flags);
    if (step.replace) {
      flags.push_back("REPLACE");
      fields.push_back(".replace_prog_fd = fd_" + *step.replace);
    }
    if (step.expected_revision) {
      fields.push_back(".expected_revision = " + std::to_string(step.expected_revision) + "ULL");
    }
    fields.insert(fields.begin(), ".flags = " + flag_expression(flags));
    out_ << "\t{\n";
    opts("bpf_prog_attach_opts", "opta", fields);
    out_ << "\t\terr = bpf_prog_attach_opts(fd_" << *step.prog
         << ", loopback, BPF_TCX_INGRESS, &opta);\n";
    expect(step, "err", tag);
    out_ << "\t}\n";
  }

  void detach(const Step& step, const std::string& tag) {
    std::vector<std::string> fields, flags = step.flags;
    relative(step.relative, "", &fields, &flags);
    if (step.expected_revision) {
      fields.push_back(".expected_revision = " + std::to_string(step.expected_revision) + "ULL");
    }
    fields.insert(fields.begin(), ".flags = " + flag_expression(flags));
    out_ << "\t{\n";
    opts("bpf_prog_detach_opts", "optd", fields);
    out_ << "\t\terr = bpf_prog_detach_opts(" << (step.prog ? "fd_" + *step.prog : "0")
         << ", loopback, BPF_TCX_INGRESS, &optd);\n";
    expect(step, "err", tag);
    out_ << "\t}\n";
  }

  void link_attach(const Step& step, const std::string& tag, int* unnamed) {
    std::vector<std::string> fields, flags = step.flags;
    relative(step.relative, "tcx.", &fields, &flags);
    if (step.expected_revision) {
      fields.push_back(".tcx.expected_revision = " + std::to_string(step.expected_revision) +
                       "ULL");
    }
    fields.insert(fields.begin(), ".flags = " + flag_expression(flags));
    out_ << "\t{\n";
    opts("bpf_link_create_opts", "optl", fields);
    out_ << "\t\terr = bpf_link_create(fd_" << *step.prog
         << ", loopback, BPF_TCX_INGRESS, &optl);\n";
    if (step_binds(step)) {
      const std::string& n = *step.link;
      if (step.expect) {
        out_ << "\t\tASSERT_GE(err, 0, " << c_string(tag) << ");\n";
      }
      out_ << "\t\tif (err >= 0) {\n\t\t\tfd_" << n << " = err;\n\t\t\tid_" << n
           << " = mprogsim_link_id(err);\n\t\t}\n";
    } else {
      expect(step, "err < 0 ? err : 0", tag);
      out_ << "\t\tunnamed_links[" << (*unnamed)++ << "] = err;\n";
    }
    out_ << "\t}\n";
  }

  // The clsact qdisc's hold: a device holds one qdisc, so at most one hold.
  void miniq_inc(const std::string& tag, int* held) {
    if (*held > 0) {
      throw ExportError(tag + ": a second qdisc hold; a device holds one clsact qdisc");
    }
    ++*held;
    out_ << "\t/* the clsact qdisc takes its hold on the tcx entry (tcx_miniq_inc) */\n"
            "\tqdisc.attach_point = BPF_TC_INGRESS;\n"
            "\terr = bpf_tc_hook_create(&qdisc);\n"
            "\tASSERT_EQ(err, 0, "
         << c_string(tag) << ");\n";
  }

  void miniq_dec(const std::string& tag, int* held) {
    if (*held == 0) throw ExportError(tag + ": no qdisc hold to drop");
    --*held;
    out_ << "\tqdisc.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;\n"
            "\terr = bpf_tc_hook_destroy(&qdisc);\n"
            "\tASSERT_EQ(err, 0, "
         << c_string(tag) << ");\n";
  }

  void run_comment(const Step& step) {
    out_ << "\t/* a datapath pass: not observable from here without traffic; the model "
            "expects it to run ";
    if (step.expect_ran) {
      out_ << "[";
      for (std::size_t i = 0; i < step.expect_ran->size(); i++) {
        out_ << (i ? " " : "") << c_comment((*step.expect_ran)[i]);
      }
      out_ << "]";
    } else {
      out_ << "(not checked)";
    }
    out_ << " */\n";
  }

  void query(const Step& step, const std::string& tag) {
    const bool arrays = !step.buffer || *step.buffer > 0;
    const u32 count = step.buffer.value_or(256);
    out_ << "\t{\n";
    if (arrays) {
      out_ << "\t\t__u32 prog_ids[MPROG_MAX], prog_flags[MPROG_MAX];\n"
              "\t\t__u32 link_ids[MPROG_MAX], link_flags[MPROG_MAX];\n";
      opts("bpf_prog_query_opts", "optq",
           {".prog_ids = prog_ids", ".prog_attach_flags = prog_flags", ".link_ids = link_ids",
            ".link_attach_flags = link_flags", ".count = " + std::to_string(count) + "U"});
      out_ << "\t\t/* a pattern, so that an element the kernel leaves unwritten shows */\n"
              "\t\tmemset(prog_ids, 0xa5, sizeof(prog_ids));\n"
              "\t\tmemset(prog_flags, 0xa5, sizeof(prog_flags));\n"
              "\t\tmemset(link_ids, 0xa5, sizeof(link_ids));\n"
              "\t\tmemset(link_flags, 0xa5, sizeof(link_flags));\n";
    } else {
      opts("bpf_prog_query_opts", "optq", {});
    }
    out_ << "\t\terr = bpf_prog_query_opts(loopback, BPF_TCX_INGRESS, &optq);\n";
    expect(step, "err", tag);
    auto check = [&](const std::string& what, const std::string& value, const std::string& name) {
      out_ << "\t\tASSERT_EQ(" << what << ", " << value << ", " << c_string(tag + " " + name)
           << ");\n";
    };
    if (step.expect_count) check("optq.count", std::to_string(*step.expect_count), "count");
    if (step.expect_revision) {
      check("optq.revision", std::to_string(*step.expect_revision) + "ULL", "revision");
    }
    auto slots = [&](std::size_t n) {
      if ((!arrays && n > 0) || n > 64) {
        throw ExportError(tag + ": expected slots that no buffer offers");
      }
    };
    // The expected list is the whole list: the slot after it, if offered, is unwritten.
    const std::size_t offered = arrays ? std::min<std::size_t>(count, 64) : 0;
    auto ends_at = [&](const char* array, std::size_t n) {
      if (n < offered) {
        check(std::string(array) + "[" + std::to_string(n) + "]", "0xa5a5a5a5U",
              std::string(array) + "[" + std::to_string(n) + "] unwritten");
      }
    };
    if (step.expect_progs) {
      slots(step.expect_progs->size());
      for (std::size_t i = 0; i < step.expect_progs->size(); i++) {
        check("prog_ids[" + std::to_string(i) + "]", "id_" + (*step.expect_progs)[i],
              "prog_ids[" + std::to_string(i) + "]");
      }
      ends_at("prog_ids", step.expect_progs->size());
    }
    if (step.expect_links) {
      slots(step.expect_links->size());
      for (std::size_t i = 0; i < step.expect_links->size(); i++) {
        const auto& link = (*step.expect_links)[i];
        check("link_ids[" + std::to_string(i) + "]", link ? "id_" + *link : "0",
              "link_ids[" + std::to_string(i) + "]");
      }
      ends_at("link_ids", step.expect_links->size());
    }
    if (step.expect_flags) {
      slots(step.expect_flags->size());
      for (std::size_t i = 0; i < step.expect_flags->size(); i++) {
        const std::string at = "[" + std::to_string(i) + "]";
        check("(link_ids" + at + " ? link_flags" + at + " : prog_flags" + at + ")",
              flag_expression((*step.expect_flags)[i]), "flags" + at);
      }
    }
    out_ << "\t}\n";
  }

  const Scenario& s_;
  std::ostringstream& out_;
  const std::string prefix_;
  std::vector<std::string> names_, prog_names_, link_names_;
  int unnamed_links_ = 0;
  bool needs_qdisc_ = false;
};

}  // namespace

std::string export_selftest(const std::vector<Scenario>& scenarios, const std::string& stem,
                            const std::string& source, bool from_trace) {
  std::vector<std::string> functions;
  for (std::size_t i = 0; i < scenarios.size(); i++) {
    const Scenario& s = scenarios[i];
    const std::string where =
        scenarios.size() > 1 ? "scenario " + std::to_string(i + 1) + ": " : "";
    if (s.semantics != Semantics::kUpstream) {
      throw ExportError(where +
                        "only upstream scenarios run on a real kernel (v2 was never merged)");
    }
    if (s.initial_revision && *s.initial_revision != 1) {
      throw ExportError(where + "initial_revision " + std::to_string(*s.initial_revision) +
                        ": a real kernel's tcx entry starts at revision 1");
    }
    check_names(s);
    functions.push_back("serial_test_mprogsim_" + c_identifier(stem) +
                        (scenarios.size() > 1 ? "_" + std::to_string(i + 1) : ""));
  }
  std::ostringstream out;
  out << "// SPDX-License-Identifier: GPL-2.0\n"
      << "/* Generated by `mprogsim export --selftest` from " << c_comment(source) << ".\n"
      << " * Every value asserted is what mprogsim's upstream model (Linux 6.6+ mprog and tcx)\n"
      << " * predicts: a failure is a difference between the model and this kernel.\n";
  if (from_trace) {
    out << " * The steps are a trace's control path run alone: its readers and schedule (the\n"
        << " * interleaving) are not reproduced here.\n";
  }
  out << " *\n"
      << " * Alone:      gcc -o mprog_test THIS.c -lbpf && sudo unshare -n ./mprog_test\n"
      << " *             (a fresh network namespace: lo's tcx ingress hook starts empty)\n"
      << " * test_progs: copy into tools/testing/selftests/bpf/prog_tests/, build with\n"
      << " *             -DMPROGSIM_IN_TEST_PROGS, run ./test_progs -t mprogsim\n"
      << " */\n"
      << kPrologue;
  for (std::size_t i = 0; i < scenarios.size(); i++) {
    Writer(scenarios[i], out, scenarios.size() > 1 ? "scenario " + std::to_string(i + 1) + " " : "")
        .function(functions[i]);
  }
  out << "\n#ifndef MPROGSIM_IN_TEST_PROGS\nint main(void)\n{\n";
  for (const auto& f : functions) out << "\t" << f << "();\n";
  out << "\tif (mprogsim_failures)\n\t\tfprintf(stderr, \"%d assertions failed\\n\", "
         "mprogsim_failures);\n"
      << "\treturn mprogsim_failures ? 1 : 0;\n}\n#endif\n";
  return out.str();
}

}  // namespace mprogsim::tools
