//! HTTPS to the fleet server: rustls with ring, the system's authorities plus the fleet's
//! own CA when the config names one. Every call has a time limit; every refusal is typed,
//! so the loop knows whether to retry, wait, or stop and say why.

use std::time::Duration;

use guichet_protocol::fleet::{EnrolRequest, EnrolResponse, Replayed, Report, ReportResponse};
use reqwest::StatusCode;

/// The largest bundle the agent downloads.
const MAX_DOWNLOAD: usize = 32 << 20;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the fleet at {url} cannot be reached: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("the fleet refused the token (revoked, or the kiosk was removed)")]
    Unauthorized,
    #[error("the fleet refused the enrolment code (unknown, used or expired)")]
    BadCode,
    #[error("the fleet answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the fleet's answer is unreadable: {0}")]
    BadAnswer(String),
    #[error("the fleet's address {0} is not usable (https://, or http:// on loopback only)")]
    BadUrl(String),
    #[error("cannot read the fleet's CA certificate: {0}")]
    BadCertificate(String),
}

/// What became of a report.
#[derive(Debug)]
pub enum Sent {
    Accepted(ReportResponse),
    /// The server already has this `seq` (an answer lost on the way back): everything up
    /// to `last_seq` was stored.
    AlreadyHad(u64),
}

#[derive(Clone)]
pub struct Link {
    http: reqwest::Client,
    base: String,
}

/// A client for HTTPS with ring and these roots: the system's, and `extra_ca` (PEM).
pub fn https_client(extra_ca: Option<&[u8]>, timeout: Duration) -> Result<reqwest::Client, LinkError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(pem) = extra_ca {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| LinkError::BadCertificate(e.to_string()))?;
        if certs.is_empty() {
            return Err(LinkError::BadCertificate("no certificate in the file".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| LinkError::BadCertificate(e.to_string()))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LinkError::BadCertificate(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("guichet-agent/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LinkError::BadCertificate(e.to_string()))
}

impl Link {
    pub fn new(url: &str, extra_ca: Option<&[u8]>) -> Result<Link, LinkError> {
        let base = url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base).map_err(|_| LinkError::BadUrl(base.clone()))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        let plain_ok = parsed.scheme() == "http" && loopback && parsed.username().is_empty();
        if parsed.scheme() != "https" && !plain_ok {
            return Err(LinkError::BadUrl(base));
        }
        Ok(Link { http: https_client(extra_ca, Duration::from_secs(60))?, base })
    }

    fn unreachable(&self, e: reqwest::Error) -> LinkError {
        // reqwest's text can hold the URL but never a token: those go in headers.
        LinkError::Unreachable { url: self.base.clone(), cause: format!("{e}") }
    }

    pub async fn enrol(&self, code: &str) -> Result<EnrolResponse, LinkError> {
        let body = EnrolRequest { code: code.to_owned(), agent_version: env!("CARGO_PKG_VERSION").into() };
        let r = self
            .http
            .post(format!("{}/api/v1/enrol", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        match r.status() {
            StatusCode::OK => r.json().await.map_err(|e| LinkError::BadAnswer(e.to_string())),
            StatusCode::FORBIDDEN => Err(LinkError::BadCode),
            status => Err(refused(status, r).await),
        }
    }

    pub async fn report(&self, token: &str, report: &Report) -> Result<Sent, LinkError> {
        let r = self
            .http
            .post(format!("{}/api/v1/report", self.base))
            .bearer_auth(token)
            .json(report)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        match r.status() {
            StatusCode::OK => Ok(Sent::Accepted(r.json().await.map_err(|e| LinkError::BadAnswer(e.to_string()))?)),
            StatusCode::CONFLICT => {
                let replayed: Replayed = r.json().await.map_err(|e| LinkError::BadAnswer(e.to_string()))?;
                Ok(Sent::AlreadyHad(replayed.last_seq))
            }
            StatusCode::UNAUTHORIZED => Err(LinkError::Unauthorized),
            status => Err(refused(status, r).await),
        }
    }

    /// Downloads `path` (from a command, relative to the fleet's address), bounded.
    pub async fn download(&self, token: &str, path: &str) -> Result<Vec<u8>, LinkError> {
        if !path.starts_with("/api/") {
            return Err(LinkError::BadUrl(path.to_owned()));
        }
        let mut r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        match r.status() {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => return Err(LinkError::Unauthorized),
            status => return Err(refused(status, r).await),
        }
        let mut body = Vec::new();
        while let Some(chunk) = r.chunk().await.map_err(|e| self.unreachable(e))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_DOWNLOAD {
                return Err(LinkError::BadAnswer("the bundle is larger than 32 MiB".into()));
            }
        }
        Ok(body)
    }
}

async fn refused(status: StatusCode, r: reqwest::Response) -> LinkError {
    let body = r.text().await.unwrap_or_default().chars().take(200).collect();
    LinkError::Refused { status: status.as_u16(), body }
}

/// How long to wait after `failures` failures in a row: doubling from 30 s to an hour,
/// with "equal jitter" (between half and all of it) so a thousand kiosks that lost the
/// server together do not all come back in the same second. `jitter` is in 0..1.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let cap = 30u64.saturating_mul(1 << failures.saturating_sub(1).min(7)).min(3600);
    Duration::from_secs_f64(cap as f64 * (0.5 + 0.5 * jitter.clamp(0.0, 1.0)))
}

/// A number in 0..1 from the kernel's random source.
pub fn jitter() -> f64 {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour_and_spreads() {
        assert_eq!(backoff(1, 1.0), Duration::from_secs(30));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(15));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(120));
        assert_eq!(backoff(8, 1.0), Duration::from_secs(3600));
        assert_eq!(backoff(40, 1.0), Duration::from_secs(3600));
        assert_eq!(backoff(40, 0.0), Duration::from_secs(1800));
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }

    #[test]
    fn only_https_or_loopback_http() {
        assert!(Link::new("https://fleet.example.fr/", None).is_ok());
        assert!(Link::new("http://127.0.0.1:8080", None).is_ok());
        assert!(matches!(Link::new("http://fleet.example.fr", None), Err(LinkError::BadUrl(_))));
        for sneaky in
            ["http://localhost.example.fr", "http://127.0.0.1@fleet.example.fr", "http://127.0.0.1.example.fr/"]
        {
            assert!(matches!(Link::new(sneaky, None), Err(LinkError::BadUrl(_))), "{sneaky}");
        }
        assert!(matches!(Link::new("https://x", Some(b"not pem")), Err(LinkError::BadCertificate(_))));
    }
}
