//! Running a helper program (`scanimage`) to its end with a time limit, woken by the
//! kernel rather than by polling: the child's pidfd becomes readable when it exits, and an
//! inotify watch on a folder it writes into says when something landed there (a scanned
//! page), so progress is reported as it happens.
//!
//! The child runs in a process group of its own, and the whole group is killed once the
//! child has ended or passed its limit: a SANE backend's reader process, forked by
//! `scanimage`, can hang after an error while holding the child's pipes, and must neither
//! outlive the scan nor keep the agent waiting for the pipes' end.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, poll};
use rustix::fs::inotify;
use rustix::process::{Pid, PidfdFlags, pidfd_open};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    /// Stopped at its limit; what it had written on stderr by then (a backend that hangs
    /// after an error has often said which error first).
    #[error("did not finish within {0:?}")]
    Timeout(Duration, String),
    #[error("cannot run it: {0}")]
    Run(String),
}

/// Runs `command` to its end on a blocking thread, killing it after `limit`. When
/// `watched` is given, `on_change` is called at the start, each time a file is created or
/// written there, and at the end. Plain std processes and their pidfd: no dependence on a
/// runtime's SIGCHLD handling, which left a finished `scanimage` unnoticed now and then
/// when several runtimes share the process (the tests).
pub async fn run(
    mut command: Command,
    limit: Duration,
    watched: Option<&Path>,
    mut on_change: impl FnMut() + Send + 'static,
) -> Result<Output, ChildError> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let run_err = |e: std::io::Error| ChildError::Run(e.to_string());
    // Watched before the child starts, so nothing it writes is missed.
    let watch = match watched {
        Some(folder) => Some(watch(folder).map_err(run_err)?),
        None => None,
    };
    command.process_group(0);
    tokio::task::spawn_blocking(move || -> Result<Output, ChildError> {
        // The start is reported before the child can write anything.
        on_change();
        let mut child = command.spawn().map_err(run_err)?;
        let group = Pid::from_child(&child);
        // Drained on their own threads so a chatty child never blocks on a full pipe, into
        // buffers that can be read before the pipes end.
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let pidfd = pidfd_open(group, PidfdFlags::empty()).map_err(|e| run_err(e.into()));
        let pidfd = match pidfd {
            Ok(fd) => fd,
            Err(e) => {
                stop_group(group);
                let _ = child.wait();
                return Err(e);
            }
        };
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                stop_group(group);
                let _ = child.wait();
                let said =
                    String::from_utf8_lossy(&stderr.1.lock().map(|b| b.clone()).unwrap_or_default()).into_owned();
                return Err(ChildError::Timeout(limit, said));
            }
            let (exited, changed) = wait_for(&pidfd, watch.as_ref(), left).map_err(run_err)?;
            if changed {
                on_change();
            }
            if exited {
                break;
            }
        }
        // Whatever it left behind goes with it, and so its pipes end; before the child is
        // reaped, while its id still names the group and nobody else's.
        stop_group(group);
        let status = child.wait().map_err(run_err)?;
        on_change();
        Ok(Output { status, stdout: stdout.finish(), stderr: stderr.finish() })
    })
    .await
    .map_err(|e| ChildError::Run(e.to_string()))?
}

/// A pipe read to its end on a thread, into a buffer that can be looked at meanwhile.
struct Drained(std::thread::JoinHandle<()>, Arc<Mutex<Vec<u8>>>);

impl Drained {
    fn finish(self) -> Vec<u8> {
        let _ = self.0.join();
        std::mem::take(&mut *self.1.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> Drained {
    let bytes = Arc::new(Mutex::new(Vec::new()));
    let into = bytes.clone();
    let thread = std::thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            if let Ok(mut b) = into.lock() {
                b.extend_from_slice(&chunk[..n]);
            }
        }
    });
    Drained(thread, bytes)
}

/// Kills every process of the child's group; a group already gone is fine.
fn stop_group(group: Pid) {
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
}

/// An inotify descriptor watching `folder` for files created or written.
fn watch(folder: &Path) -> std::io::Result<OwnedFd> {
    let fd = inotify::init(inotify::CreateFlags::CLOEXEC | inotify::CreateFlags::NONBLOCK)?;
    inotify::add_watch(&fd, folder, inotify::WatchFlags::CREATE | inotify::WatchFlags::CLOSE_WRITE)?;
    Ok(fd)
}

/// Waits at most `left` for the child to exit or the folder to change: (exited, changed).
fn wait_for(pidfd: &OwnedFd, watch: Option<&OwnedFd>, left: Duration) -> std::io::Result<(bool, bool)> {
    let timeout = rustix::event::Timespec::try_from(left).unwrap_or(rustix::event::Timespec { tv_sec: 1, tv_nsec: 0 });
    let mut fds = vec![PollFd::new(pidfd, PollFlags::IN)];
    if let Some(w) = watch {
        fds.push(PollFd::new(w, PollFlags::IN));
    }
    match poll(&mut fds, Some(&timeout)) {
        Ok(_) | Err(rustix::io::Errno::INTR) => {}
        Err(e) => return Err(e.into()),
    }
    let exited = !fds[0].revents().is_empty();
    let changed = fds.get(1).is_some_and(|f| !f.revents().is_empty());
    if changed && let Some(w) = watch {
        // What changed is looked at by the caller; the events only wake it.
        let mut buffer = [0u8; 4096];
        while rustix::io::read(w.as_fd(), &mut buffer).is_ok_and(|n| n > 0) {}
    }
    Ok((exited, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_child_is_waited_for_and_one_past_its_limit_is_stopped() {
        let mut quick = Command::new("sh");
        quick.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = run(quick, Duration::from_secs(10), None, || {}).await.unwrap();
        assert_eq!((out.status.code(), &out.stdout[..], &out.stderr[..]), (Some(3), &b"out\n"[..], &b"err\n"[..]));
        let mut slow = Command::new("sleep");
        slow.arg("30");
        let started = Instant::now();
        assert_eq!(
            run(slow, Duration::from_millis(200), None, || {}).await,
            Err(ChildError::Timeout(Duration::from_millis(200), String::new()))
        );
        assert!(started.elapsed() < Duration::from_secs(10), "stopped at its limit, not at its end");
    }

    #[tokio::test]
    async fn what_a_stuck_child_said_is_kept_and_what_it_left_behind_goes_with_it() {
        // A child that says its error, then waits on a grandchild that holds its pipes,
        // as a SANE backend's reader process can.
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild");
        let mut stuck = Command::new("sh");
        stuck.arg("-c").arg(format!(
            "echo 'scanimage: sane_read: Scanner cover is open' >&2; sleep 300 & echo $! > {}; wait",
            pid_file.display()
        ));
        let out = run(stuck, Duration::from_millis(500), None, || {}).await;
        let Err(ChildError::Timeout(_, said)) = out else { panic!("{out:?}") };
        assert!(said.contains("Scanner cover is open"), "{said}");
        let grandchild: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        assert!(!is_alive(grandchild), "the grandchild was killed with its group");

        // One that ends while a grandchild keeps its pipes open: its output, at once.
        let mut leaves = Command::new("sh");
        leaves.arg("-c").arg(format!("sleep 300 & echo $! > {}; echo done", pid_file.display()));
        let out = run(leaves, Duration::from_secs(60), None, || {}).await.unwrap();
        assert_eq!(out.stdout, b"done\n");
        let grandchild: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        assert!(!is_alive(grandchild), "nothing it started outlives it");
    }

    /// Whether `pid` is still running 5 s from now: its end is waited for on a pidfd, since
    /// a process killed a moment ago may not have ended yet.
    fn is_alive(pid: i32) -> bool {
        let Some(pid) = Pid::from_raw(pid) else { return false };
        let Ok(fd) = pidfd_open(pid, PidfdFlags::empty()) else { return false };
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        let bound = rustix::event::Timespec { tv_sec: 5, tv_nsec: 0 };
        !matches!(poll(&mut fds, Some(&bound)), Ok(n) if n > 0)
    }

    #[tokio::test]
    async fn each_file_written_in_the_watched_folder_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Command::new("sh");
        writer.arg("-c").arg(format!("for n in 1 2 3; do echo $n > {}/$n.jpg; done", dir.path().display()));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (seen2, folder) = (seen.clone(), dir.path().to_owned());
        run(writer, Duration::from_secs(10), Some(dir.path()), move || {
            let n = std::fs::read_dir(&folder).map(|d| d.count()).unwrap_or(0);
            seen2.lock().unwrap().push(n);
        })
        .await
        .unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.first(), Some(&0), "called once before anything landed");
        assert_eq!(seen.last(), Some(&3), "and once at the end, with every file there");
    }
}
