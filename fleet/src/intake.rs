//! Report intake: reports are checked on the request's task, then written by one writer
//! that takes every report waiting and commits them in one transaction. A kiosk hears
//! "accepted" only once its report is on disk, and the disk sees one commit for many
//! reports, which is what lets a small server take thousands a second.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::storage::{ReportWrite, Storage, StorageError};

/// The most reports one transaction holds.
const BATCH: usize = 512;

type Job = (ReportWrite, oneshot::Sender<Result<(), String>>);

#[derive(Clone)]
pub struct Intake {
    jobs: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the report could not be stored: {0}")]
    Storage(String),
    #[error("the writer has stopped")]
    Stopped,
}

impl Intake {
    /// Starts the writer on the current runtime.
    pub fn start(storage: Arc<dyn Storage>) -> Intake {
        let (jobs, rx) = mpsc::channel(4 * BATCH);
        tokio::spawn(writer(storage, rx));
        Intake { jobs }
    }

    /// Waits until the report is committed (or refused by the database).
    pub async fn write(&self, report: ReportWrite) -> Result<(), IntakeError> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send((report, tx)).await.map_err(|_| IntakeError::Stopped)?;
        rx.await.map_err(|_| IntakeError::Stopped)?.map_err(IntakeError::Storage)
    }
}

async fn writer(storage: Arc<dyn Storage>, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        let (batch, answers): (Vec<ReportWrite>, Vec<_>) = jobs.drain(..).unzip();
        let result = storage.write_reports(&batch).await.map_err(|e: StorageError| {
            // Full disk, lost database: the kiosks keep their reports and send them again.
            tracing::error!(cause = %e, reports = batch.len(), "cannot store reports");
            e.to_string()
        });
        for answer in answers {
            let _ = answer.send(result.clone());
        }
    }
}
