// SPDX-License-Identifier: GPL-2.0
// Writes a whole file or nothing. The text goes to a temporary file created beside
// the target with an unpredictable name (O_CREAT | O_EXCL | O_NOFOLLOW: it never
// opens what a planted symlink points to), is fsynced, and is renamed over the
// target. A target that exists and is not a regular file (a device such as
// /dev/full, a fifo, a directory, a symlink) is refused: renaming over it would
// replace it. The temporary file is removed on every failure, and on SIGINT, SIGTERM
// and SIGHUP by a signal handler that only calls unlink(2), so an interrupted run
// leaves no half-written file behind. Every command that writes a file uses this.
#pragma once

#include <string>
#include <string_view>

namespace mprogsim {

// One write in progress. The constructor creates the temporary file (error() says
// why it could not); write() appends; commit() syncs and renames. Destroying an
// uncommitted AtomicFile removes the temporary file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Empty while everything went well; else what went wrong (the first failure).
  const std::string& error() const { return error_; }
  // The temporary file's path (empty when it could not be created).
  const std::string& temporary_path() const { return tmp_; }
  bool write(std::string_view text);
  // Returns an empty string on success, else what went wrong (the temporary file
  // is gone either way).
  std::string commit();
  // Like commit(), but never replaces a file: the text goes to `stem + extension`,
  // or, when that exists, to the first of stem-2.ext, stem-3.ext, ... that does not
  // (each tried with an atomic rename that fails on an existing name). *written
  // receives the path.
  std::string commit_as_new(const std::string& stem, const std::string& extension,
                            std::string* written);

 private:
  bool sync_and_close();
  void discard();

  std::string path_;
  std::string tmp_;
  std::string error_;
  int fd_ = -1;
  int slot_ = -1;  // index in the signal handler's table of temporary files
};

// Returns an empty string on success, else what went wrong.
[[nodiscard]] std::string write_file_atomically(const std::string& path, const std::string& text);

// Writes a new file and never replaces one (AtomicFile::commit_as_new): two runs
// that pick the same name both keep their file.
[[nodiscard]] std::string write_new_file_atomically(const std::string& stem,
                                                    const std::string& extension,
                                                    const std::string& text, std::string* written);

// Why `path` cannot be a target, or an empty string: it exists and is not a regular
// file. Checked again when the file is written; exposed so that a command can refuse
// a bad target before it spends minutes on the content.
[[nodiscard]] std::string unwritable_target(const std::string& path);

}  // namespace mprogsim
