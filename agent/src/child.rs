//! Running a helper program (`scanimage`) to its end with a time limit.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("did not finish within {0:?}")]
    Timeout(Duration),
    #[error("cannot run it: {0}")]
    Run(String),
}

/// How often a running child is looked at, and `on_poll` called (to report progress).
const POLL: Duration = Duration::from_millis(10);

/// Runs `command` to its end on a blocking thread, killing it after `limit`. Plain std
/// processes, waited for by polling: no dependence on a runtime's SIGCHLD handling, which
/// left a finished `scanimage` unnoticed now and then when several runtimes share the
/// process (the tests).
pub async fn run(
    mut command: Command,
    limit: Duration,
    mut on_poll: impl FnMut() + Send + 'static,
) -> Result<Output, ChildError> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || -> Result<Output, ChildError> {
        let mut child = command.spawn().map_err(|e| ChildError::Run(e.to_string()))?;
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
        let started = Instant::now();
        let status = loop {
            on_poll();
            match child.try_wait().map_err(|e| ChildError::Run(e.to_string()))? {
                Some(status) => break status,
                None if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(ChildError::Timeout(limit));
                }
                None => std::thread::sleep(POLL),
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        Ok(Output { status, stdout, stderr })
    })
    .await
    .map_err(|e| ChildError::Run(e.to_string()))?
}
