//! The outbox's few filesystem habits in one place: errors that name the
//! file (and the byte offset, for corruption), durable directory updates,
//! and atomic small-file replacement. On targets without a filesystem
//! (`wasm32-unknown-unknown`) `std::fs` compiles and every call fails at
//! runtime, so the outbox reports an error there instead of panicking.

use crate::Error;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// An I/O failure while doing `what` to `path`.
pub(super) fn io_error(path: &Path, what: &str, err: &io::Error) -> Error {
    Error::Io {
        location: path.display().to_string(),
        message: format!("cannot {what}: {err}"),
    }
}

/// Bytes on disk that are not what the outbox wrote, at `offset` in `path`.
pub(super) fn corrupt(path: &Path, offset: u64, message: impl Into<String>) -> Error {
    Error::Input {
        location: format!("{} at byte {offset}", path.display()),
        message: message.into(),
    }
}

/// Makes creations, renames and deletions inside `dir` durable. Only Unix
/// lets a directory be opened and fsynced; elsewhere the metadata journal of
/// the filesystem is relied on.
pub(super) fn sync_dir(dir: &Path) -> crate::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error(dir, "sync directory", &e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the
/// new content, never a mix: write a temporary file next to it, fsync it,
/// rename it over `path`, fsync the directory.
pub(super) fn replace_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> crate::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = Path::new(&tmp_name);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)
        .map_err(|e| io_error(tmp, "create", &e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(tmp, "write", &e))?;
    drop(file);
    fs::rename(tmp, path).map_err(|e| io_error(path, "rename a temporary file over", &e))?;
    sync_dir(dir)
}

/// The name of the lock file in an outbox directory.
pub(super) const LOCK_FILE: &str = "outbox.lock";

/// Takes the exclusive lock on `dir`'s lock file, held until the returned
/// file is closed (or the process dies, which the OS sees to). Two outboxes
/// on one directory would interleave appends and delete each other's
/// segments, so a second opener, in this process or another, fails at once.
pub(super) fn lock_dir(dir: &Path) -> crate::Result<File> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_error(&path, "open the lock file", &e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Io {
            location: dir.display().to_string(),
            message: format!(
                "another process (or another outbox in this one) uses this outbox: it holds \
                 the lock on {LOCK_FILE}; each worker process needs its own outbox \
                 directory, such as outbox/<worker index>"
            ),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_error(&path, "lock", &e)),
    }
}

/// The whole content of `path`, or `None` when it does not exist.
pub(super) fn read_if_exists(path: &Path) -> crate::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, "read", &e)),
    }
}
