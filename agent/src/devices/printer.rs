//! Printers: the real one speaks IPP to the configured URI (an IPP Everywhere printer on
//! the network, or a CUPS queue); the simulated one accepts every job at once.
//!
//! Health means "can a person print now": the printer's state and state reasons are read
//! on every status request and folded into one blocking condition (no paper, jam, no
//! toner, cover open, stopped, not accepting jobs, unreachable) plus warnings (paper or
//! toner low), with the supply levels for IT staff.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use guichet_protocol::{DeviceStatus, JobState, Supply};
use ipp::prelude::*;

/// A boxed future, so that printers can sit behind `dyn Printer`.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How often a purged job is asked for until the queue has forgotten it.
const PURGE_POLL: Duration = Duration::from_millis(50);

/// How long one IPP request may take before the printer is taken for unreachable.
const IPP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the printer at {uri} cannot be reached: {cause}")]
    Unreachable { uri: String, cause: String },
    #[error("the printer refused the job: {status}")]
    Refused { status: String },
    #[error("the printer cannot take {format} documents")]
    FormatNotSupported { format: &'static str },
}

/// A document ready to send: its bytes (read once from the visit's folder, or made in
/// memory), its MIME type, how many copies, and whether in black and white.
#[derive(Clone)]
pub struct Job {
    pub document: Vec<u8>,
    pub format: &'static str,
    pub copies: u32,
    pub mono: bool,
}

pub trait Printer: Send + Sync {
    /// Whether a person can print now, and why not.
    fn status(&self) -> Fut<'_, DeviceStatus>;
    /// Sends the document; returns the printer's job id.
    fn submit(&self, job: Job) -> Fut<'_, Result<u32, PrintError>>;
    /// Where a job is, and the printer's reason when it stopped (`media_jam`…).
    fn job_state(&self, job: u32) -> Fut<'_, Result<(JobState, Option<String>), PrintError>>;
    /// Cancels a job that has not finished (one already finished is left alone), then has a
    /// CUPS queue forget it, its file and its record, and waits until it has.
    fn cancel(&self, job: u32) -> Fut<'_, Result<(), PrintError>>;
    /// What it can do, as it says itself.
    fn capabilities(&self) -> Fut<'_, Result<Capabilities, PrintError>>;
}

/// What a printer says it can do: the document formats it takes
/// (`document-format-supported`), colour, two-sided printing, and its paper sizes as PWG
/// names (`iso_a4_210x297mm`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub formats: Vec<String>,
    pub color: bool,
    pub duplex: bool,
    pub media: Vec<String>,
}

/// An IPP printer, by its `ipp://` or `ipps://` URI (`http://`, `https://` accepted: they
/// are the same things).
pub struct IppPrinter {
    uri: Uri,
    client: AsyncIppClient,
}

impl IppPrinter {
    /// `certificate` (PEM or DER) is trusted for an `ipps://` printer besides the system's
    /// authorities: a printer's certificate is usually signed by itself.
    pub fn new(uri: &str, certificate: Option<&[u8]>) -> Result<IppPrinter, String> {
        let uri: Uri = uri.parse().map_err(|e| format!("{uri:?} is not a printer URI: {e}"))?;
        let mut builder = AsyncIppClient::builder(uri.clone()).request_timeout(IPP_TIMEOUT);
        if let Some(certificate) = certificate {
            if !matches!(uri.scheme_str(), Some("ipps" | "https")) {
                return Err("a printer certificate is only for an ipps:// printer".into());
            }
            builder = builder.ca_cert(certificate);
        }
        // rustls with ring, chosen once for the process; a second call finds it there.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(IppPrinter { uri, client: builder.build() })
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> PrintError {
        PrintError::Unreachable { uri: self.uri.to_string(), cause: e.to_string() }
    }

    async fn send<O: Into<IppRequestResponse>>(
        &self,
        op: Result<O, ipp::parser::IppParseError>,
    ) -> Result<IppRequestResponse, PrintError> {
        let op = op.map_err(|e| PrintError::Refused { status: format!("bad request: {e}") })?;
        let response = self.client.send(op).await.map_err(|e| self.unreachable(e))?;
        if !response.header().status_code().is_success() {
            return Err(PrintError::Refused { status: format!("{:?}", response.header().status_code()) });
        }
        Ok(response)
    }

    /// Cancel-Job with `purge-job` (a CUPS extension).
    async fn purge(&self, job: u32) -> Result<(), PrintError> {
        use ipp::attribute::IppAttrWithName;
        let op =
            IppOperationBuilder::cancel_job(self.uri.clone(), job as i32).user_name("guichet").build().and_then(|op| {
                let mut request: IppRequestResponse = op.into();
                request
                    .attributes_mut()
                    .add(DelimiterTag::OperationAttributes, IppValue::Boolean(true).with_name("purge-job")?);
                Ok(request)
            });
        self.send(op).await.map(|_| ())
    }

    async fn read_status(&self) -> Result<DeviceStatus, PrintError> {
        let op = IppOperationBuilder::get_printer_attributes(self.uri.clone())
            .attributes([
                "printer-state",
                "printer-state-reasons",
                "printer-is-accepting-jobs",
                "printer-supply",
                "marker-levels",
                "marker-names",
                "marker-types",
            ])
            .build();
        let response = self.send(op).await?;
        let attrs = response.attributes().groups_of(DelimiterTag::PrinterAttributes).next().cloned();
        let get = |name: &str| attrs.as_ref().and_then(|g| g.get(name)).map(|a| a.value().clone());
        let reasons = get("printer-state-reasons").map(|v| keywords(&v)).unwrap_or_default();
        let stopped = matches!(get("printer-state"), Some(IppValue::Enum(5)));
        let accepting = !matches!(get("printer-is-accepting-jobs"), Some(IppValue::Boolean(false)));
        let (state, warnings) = condition(&reasons, stopped, accepting);
        let mut supplies = get("printer-supply").map(|v| printer_supply(&v)).unwrap_or_default();
        if supplies.is_empty() {
            supplies = marker_levels(get("marker-names"), get("marker-types"), get("marker-levels"));
        }
        Ok(DeviceStatus { device: "printer".into(), state, simulated: false, warnings, supplies })
    }
}

impl Printer for IppPrinter {
    fn status(&self) -> Fut<'_, DeviceStatus> {
        Box::pin(async move {
            self.read_status().await.unwrap_or_else(|e| {
                tracing::warn!(cause = %e, "printer status unavailable");
                DeviceStatus { device: "printer".into(), state: "unreachable".into(), ..Default::default() }
            })
        })
    }

    fn submit(&self, job: Job) -> Fut<'_, Result<u32, PrintError>> {
        Box::pin(async move {
            let payload = IppPayload::new(std::io::Cursor::new(job.document));
            use ipp::attribute::IppAttrWithName;
            let copies = IppValue::Integer(job.copies.clamp(1, 99) as i32)
                .with_name("copies")
                .map_err(|e| PrintError::Refused { status: e.to_string() })?;
            let mut op = IppOperationBuilder::print_job(self.uri.clone(), payload)
                .user_name("guichet")
                // A fixed title: the file's name may say something about the person.
                .job_title("guichet")
                .document_format(job.format)
                .attribute(copies);
            if job.mono {
                // A printer without colour choice ignores it and says so; the job still goes.
                let mode = IppValue::new_keyword("monochrome")
                    .and_then(|v| v.with_name("print-color-mode"))
                    .map_err(|e| PrintError::Refused { status: e.to_string() })?;
                op = op.attribute(mode);
            }
            let op = op.build();
            let response = self.send(op).await?;
            let id = (response.attributes().groups_of(DelimiterTag::JobAttributes).next())
                .and_then(|g| g.get("job-id"))
                .and_then(|a| match a.value() {
                    IppValue::Integer(i) => u32::try_from(*i).ok(),
                    _ => None,
                })
                .ok_or_else(|| PrintError::Refused { status: "no job-id in the reply".into() })?;
            Ok(id)
        })
    }

    fn job_state(&self, job: u32) -> Fut<'_, Result<(JobState, Option<String>), PrintError>> {
        Box::pin(async move {
            let op = IppOperationBuilder::get_job_attributes(self.uri.clone(), job as i32).build();
            let response = self.send(op).await?;
            let group = response.attributes().groups_of(DelimiterTag::JobAttributes).next().cloned();
            let state = match group.as_ref().and_then(|g| g.get("job-state")).map(|a| a.value()) {
                Some(IppValue::Enum(3 | 4)) => JobState::Pending,
                Some(IppValue::Enum(5 | 6)) => JobState::Processing,
                Some(IppValue::Enum(7)) => JobState::Canceled,
                Some(IppValue::Enum(8)) => JobState::Aborted,
                Some(IppValue::Enum(9)) => JobState::Completed,
                _ => JobState::Unknown,
            };
            let reasons = group.as_ref().and_then(|g| g.get("job-state-reasons")).map(|a| keywords(a.value()));
            let reason = reasons.and_then(|r| r.into_iter().find(|k| k != "none" && !k.starts_with("job-")));
            Ok((state, reason.as_deref().map(code)))
        })
    }

    fn cancel(&self, job: u32) -> Fut<'_, Result<(), PrintError>> {
        Box::pin(async move {
            let op = IppOperationBuilder::cancel_job(self.uri.clone(), job as i32).user_name("guichet").build();
            match self.send(op).await {
                // Already finished: nothing left to cancel.
                Err(PrintError::Refused { .. }) | Ok(_) => {}
                Err(e) => return Err(e),
            }
            // Then CUPS's `purge-job`: the queue forgets the job, its document file and its
            // record, printed or not. A job purged while its backend still runs loses its
            // files at once but stays listed, so it is purged again until the queue no
            // longer finds it (bounded by the caller). A printer that does not know the
            // attribute refuses or ignores it; the cancel above stands.
            loop {
                match self.purge(job).await {
                    Ok(()) => {}
                    Err(PrintError::Refused { ref status }) if status.contains("NotFound") => return Ok(()),
                    Err(PrintError::Refused { .. }) => return Ok(()),
                    Err(e) => return Err(e),
                }
                tokio::time::sleep(PURGE_POLL).await;
            }
        })
    }

    fn capabilities(&self) -> Fut<'_, Result<Capabilities, PrintError>> {
        Box::pin(async move {
            let op = IppOperationBuilder::get_printer_attributes(self.uri.clone())
                .attributes(["document-format-supported", "color-supported", "sides-supported", "media-supported"])
                .build();
            let response = self.send(op).await?;
            let group = response.attributes().groups_of(DelimiterTag::PrinterAttributes).next().cloned();
            let list = |name: &str| {
                let value = group.as_ref().and_then(|g| g.get(name)).map(|a| a.value().clone());
                value.map(|v| keywords(&v)).unwrap_or_default()
            };
            let color = group.as_ref().and_then(|g| g.get("color-supported")).map(|a| a.value().clone());
            Ok(Capabilities {
                formats: list("document-format-supported"),
                color: matches!(color, Some(IppValue::Boolean(true))),
                duplex: list("sides-supported").iter().any(|s| s.starts_with("two-sided")),
                media: list("media-supported"),
            })
        })
    }
}

/// Every keyword of a value that may be one keyword or an array of them.
fn keywords(value: &IppValue) -> Vec<String> {
    match value {
        IppValue::Array(items) => items.iter().flat_map(keywords).collect(),
        IppValue::Keyword(k) => vec![k.to_string()],
        other => vec![other.to_string()],
    }
}

/// `media-empty-error` → `media_empty`: the reason without its severity, as a code.
fn code(reason: &str) -> String {
    let base = ["-error", "-warning", "-report"].iter().fold(reason, |r, s| r.strip_suffix(s).unwrap_or(r));
    base.replace('-', "_")
}

/// The blocking condition (or `ready`) and the warnings, from the printer's reasons.
pub fn condition(reasons: &[String], stopped: bool, accepting: bool) -> (String, Vec<String>) {
    const BLOCKING: [(&str, &str); 9] = [
        ("media_jam", "media_jam"),
        ("media_empty", "media_empty"),
        ("media_needed", "media_empty"),
        ("toner_empty", "toner_empty"),
        ("marker_supply_empty", "toner_empty"),
        ("door_open", "cover_open"),
        ("cover_open", "cover_open"),
        ("offline", "offline"),
        ("shutdown", "offline"),
    ];
    const WARNINGS: [(&str, &str); 4] = [
        ("media_low", "media_low"),
        ("toner_low", "toner_low"),
        ("marker_supply_low", "toner_low"),
        ("marker_waste_almost_full", "waste_almost_full"),
    ];
    // Any severity blocks: a printer with no paper says "media-empty-report" as often as
    // "media-empty-error" (ippeveprinter does), and either way nothing comes out.
    let codes: Vec<String> = reasons.iter().map(|r| code(r)).collect();
    let blocking = BLOCKING.iter().find(|(reason, _)| codes.iter().any(|c| c == reason));
    let mut warnings: Vec<String> =
        (WARNINGS.iter()).filter(|(reason, _)| codes.iter().any(|c| c == reason)).map(|(_, w)| w.to_string()).collect();
    warnings.dedup();
    let state = match blocking {
        Some((_, state)) => state.to_string(),
        None if stopped => "offline".into(),
        None if !accepting => "not_accepting".into(),
        None => "ready".into(),
    };
    (state, warnings)
}

/// `printer-supply` (PWG 5100.13): one octet string per supply, as
/// `index=1;class=supplyThatIsConsumed;type=toner;unit=percent;level=25;colorantname=black;`.
fn printer_supply(value: &IppValue) -> Vec<Supply> {
    let items = match value {
        IppValue::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    items
        .iter()
        .filter_map(|item| {
            let text = match item {
                IppValue::OctetString(b) => String::from_utf8_lossy(b).into_owned(),
                other => other.to_string(),
            };
            let field = |key: &str| {
                text.split(';').find_map(|kv| {
                    kv.split_once('=').filter(|(k, _)| k.trim() == key).map(|(_, v)| v.trim().to_owned())
                })
            };
            let kind = field("type")?;
            let level = field("level").and_then(|l| l.parse().ok()).unwrap_or(-1);
            Some(Supply { kind, color: field("colorantname").unwrap_or_default(), level })
        })
        .collect()
}

/// CUPS's `marker-levels`, `marker-names`, `marker-types`, side by side.
fn marker_levels(names: Option<IppValue>, types: Option<IppValue>, levels: Option<IppValue>) -> Vec<Supply> {
    let list = |v: Option<IppValue>| match v {
        Some(IppValue::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let (names, types) = (list(names), list(types));
    (list(levels).iter().enumerate())
        .map(|(i, level)| Supply {
            kind: types.get(i).map(|t| t.to_string()).unwrap_or_else(|| "marker".into()),
            color: names.get(i).map(|n| n.to_string()).unwrap_or_default(),
            level: if let IppValue::Integer(l) = level { *l } else { -1 },
        })
        .collect()
}

/// Always ready; prints nothing, keeps nothing, and says every job completed.
pub struct SimulatedPrinter {
    next: std::sync::atomic::AtomicU32,
}

impl Default for SimulatedPrinter {
    fn default() -> Self {
        SimulatedPrinter { next: std::sync::atomic::AtomicU32::new(1) }
    }
}

impl Printer for SimulatedPrinter {
    fn status(&self) -> Fut<'_, DeviceStatus> {
        Box::pin(async {
            DeviceStatus { device: "printer".into(), state: "ready".into(), simulated: true, ..Default::default() }
        })
    }

    fn submit(&self, job: Job) -> Fut<'_, Result<u32, PrintError>> {
        Box::pin(async move {
            drop(job);
            Ok(self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        })
    }

    fn job_state(&self, _job: u32) -> Fut<'_, Result<(JobState, Option<String>), PrintError>> {
        Box::pin(async { Ok((JobState::Completed, None)) })
    }

    fn cancel(&self, _job: u32) -> Fut<'_, Result<(), PrintError>> {
        Box::pin(async { Ok(()) })
    }

    fn capabilities(&self) -> Fut<'_, Result<Capabilities, PrintError>> {
        Box::pin(async {
            Ok(Capabilities {
                formats: ["application/pdf", "image/jpeg", "image/png"].map(String::from).to_vec(),
                color: true,
                duplex: false,
                media: vec!["iso_a4_210x297mm".into()],
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn reasons_become_one_blocking_state_and_warnings() {
        assert_eq!(condition(&s(&["none"]), false, true), ("ready".into(), vec![]));
        assert_eq!(condition(&s(&["media-empty-error"]), false, true).0, "media_empty");
        assert_eq!(condition(&s(&["media-jam"]), true, true).0, "media_jam", "a reason says more than 'stopped'");
        assert_eq!(
            condition(&s(&["marker-supply-low-warning", "media-low-report"]), false, true),
            ("ready".into(), s(&["media_low", "toner_low"]))
        );
        assert_eq!(condition(&s(&["media-empty-report"]), false, true).0, "media_empty", "any severity blocks");
        assert_eq!(condition(&s(&["none"]), true, true).0, "offline");
        assert_eq!(condition(&s(&["none"]), false, false).0, "not_accepting");
    }

    #[test]
    fn supply_levels_are_read_from_printer_supply() {
        let v = IppValue::Array(vec![
            IppValue::OctetString("index=1;type=toner;unit=percent;level=25;colorantname=black;".into()),
            IppValue::OctetString("index=2;type=wasteToner;level=-2;".into()),
        ]);
        let supplies = printer_supply(&v);
        assert_eq!(supplies[0], Supply { kind: "toner".into(), color: "black".into(), level: 25 });
        assert_eq!(supplies[1].level, -2);
    }
}
