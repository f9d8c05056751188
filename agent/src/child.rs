//! Running a helper program (`scanimage`) to its end with a time limit, woken by the
//! kernel rather than by polling: the child's pidfd becomes readable when it exits, and an
//! inotify watch on a folder it writes into says when something landed there (a scanned
//! page), so progress is reported as it happens.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, poll};
use rustix::fs::inotify;
use rustix::process::{Pid, PidfdFlags, pidfd_open};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("did not finish within {0:?}")]
    Timeout(Duration),
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
    tokio::task::spawn_blocking(move || -> Result<Output, ChildError> {
        let mut child = command.spawn().map_err(run_err)?;
        // Drained on their own threads so a chatty child never blocks on a full pipe.
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
        let pidfd = pidfd_open(Pid::from_child(&child), PidfdFlags::empty()).map_err(|e| run_err(e.into()))?;
        let deadline = Instant::now() + limit;
        on_change();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ChildError::Timeout(limit));
            }
            let (exited, changed) = wait_for(&pidfd, watch.as_ref(), left).map_err(run_err)?;
            if changed {
                on_change();
            }
            if exited {
                break;
            }
        }
        let status = child.wait().map_err(run_err)?;
        on_change();
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        Ok(Output { status, stdout, stderr })
    })
    .await
    .map_err(|e| ChildError::Run(e.to_string()))?
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
            Err(ChildError::Timeout(Duration::from_millis(200)))
        );
        assert!(started.elapsed() < Duration::from_secs(10), "stopped at its limit, not at its end");
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
