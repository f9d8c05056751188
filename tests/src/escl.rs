//! A fake eSCL scanner (the protocol of most network multifunction printers), for
//! scanning through the real `sane-airscan` backend. No eSCL simulator is packaged
//! anywhere, so the project keeps this one: the six requests airscan makes
//! (capabilities, status, a job, its pages until 404, and the job's end), with a glass and
//! a document feeder holding a set number of sheets. Each page is drawn at the resolution
//! and size the job asks for, as a real scanner would send it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

#[derive(Default)]
struct Scanner {
    /// Sheets left in the feeder.
    feeder: u32,
    next_job: u32,
    /// The open job: its pixels, and the pages it still has to give.
    job: Option<Job>,
    /// Every request's method and path, for the test to check what airscan did.
    log: Vec<String>,
}

struct Job {
    id: u32,
    feeder: bool,
    width: u32,
    height: u32,
    dpi: u16,
    pages_left: u32,
}

/// A running fake, on a loopback port, until dropped.
pub struct FakeEscl {
    pub addr: SocketAddr,
    state: Arc<Mutex<Scanner>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeEscl {
    /// A scanner whose feeder holds `sheets`.
    pub fn start(sheets: u32) -> FakeEscl {
        let state = Arc::new(Mutex::new(Scanner { feeder: sheets, next_job: 1, ..Default::default() }));
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/eSCL/ScannerCapabilities", get(capabilities))
            .route("/eSCL/ScannerStatus", get(status))
            .route("/eSCL/ScanJobs", post(new_job))
            .route("/eSCL/ScanJobs/{id}/NextDocument", get(next_document))
            .route("/eSCL/ScanJobs/{id}", delete(end_job))
            .with_state(state.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeEscl { addr, state, runtime: Some(runtime) }
    }

    /// `airscan.conf` for a private SANE folder that reaches this scanner only, and the
    /// device name scanimage knows it by.
    pub fn sane_config(&self, dir: &std::path::Path) -> String {
        std::fs::write(dir.join("dll.conf"), "airscan\n").unwrap();
        let conf =
            format!("[devices]\n\"Fake eSCL\" = http://{}/eSCL, eSCL\n\n[options]\ndiscovery = disable\n", self.addr);
        std::fs::write(dir.join("airscan.conf"), conf).unwrap();
        "airscan:e0:Fake eSCL".into()
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn sheets_left(&self) -> u32 {
        self.state.lock().unwrap().feeder
    }
}

impl Drop for FakeEscl {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

type Shared = State<Arc<Mutex<Scanner>>>;

const NS: &str =
    r#"xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm""#;

/// What the glass and the feeder can do: colour or grey, JPEG, 150 and 300 dpi, up to A4
/// (sizes in 1/300 inch, as eSCL counts).
fn input_caps() -> String {
    let resolutions: String = [150, 300]
        .iter()
        .map(|r| format!("<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution><scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"))
        .collect();
    format!(
        "<scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2480</scan:MaxWidth>\
         <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>\
         <scan:MaxScanRegions>1</scan:MaxScanRegions>\
         <scan:SettingProfiles><scan:SettingProfile>\
         <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>\
         <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>\
         <scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt></scan:DocumentFormats>\
         <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>\
         </scan:SettingProfile></scan:SettingProfiles>"
    )
}

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml")], format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}"))
        .into_response()
}

async fn capabilities(State(s): Shared) -> Response {
    s.lock().unwrap().log.push("GET ScannerCapabilities".into());
    let caps = input_caps();
    xml(format!(
        "<scan:ScannerCapabilities {NS}><pwg:Version>2.63</pwg:Version>\
         <pwg:MakeAndModel>Guichet Fake eSCL</pwg:MakeAndModel><pwg:SerialNumber>0001</pwg:SerialNumber>\
         <scan:Platen><scan:PlatenInputCaps>{caps}</scan:PlatenInputCaps></scan:Platen>\
         <scan:Adf><scan:AdfSimplexInputCaps>{caps}</scan:AdfSimplexInputCaps></scan:Adf>\
         </scan:ScannerCapabilities>"
    ))
}

async fn status(State(s): Shared) -> Response {
    let mut s = s.lock().unwrap();
    s.log.push("GET ScannerStatus".into());
    let state = if s.job.is_some() { "Processing" } else { "Idle" };
    let adf = if s.feeder > 0 { "ScannerAdfLoaded" } else { "ScannerAdfEmpty" };
    xml(format!(
        "<scan:ScannerStatus {NS}><pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State>\
         <scan:AdfState>{adf}</scan:AdfState></scan:ScannerStatus>"
    ))
}

/// The text of `<tag>…</tag>` in `body`, whatever its namespace prefix.
fn field<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = body.find(&format!(":{tag}>"))? + tag.len() + 2;
    let close = body[open..].find("</")? + open;
    Some(body[open..close].trim())
}

async fn new_job(State(s): Shared, body: String) -> Response {
    let mut s = s.lock().unwrap();
    let feeder = field(&body, "InputSource") == Some("Feeder");
    s.log.push(format!("POST ScanJobs {}", if feeder { "Feeder" } else { "Platen" }));
    if feeder && s.feeder == 0 {
        // What printers answer when the feeder is empty; airscan then reads the status.
        return StatusCode::CONFLICT.into_response();
    }
    let number = |tag: &str, default: u32| field(&body, tag).and_then(|v| v.parse().ok()).unwrap_or(default);
    let dpi = number("XResolution", 300);
    let (width, height) = (number("Width", 2480), number("Height", 3508));
    let id = s.next_job;
    s.next_job += 1;
    let pages_left = if feeder { s.feeder } else { 1 };
    s.job = Some(Job { id, feeder, width: width * dpi / 300, height: height * dpi / 300, dpi: dpi as u16, pages_left });
    let mut headers = HeaderMap::new();
    headers.insert(header::LOCATION, format!("/eSCL/ScanJobs/{id}").parse().unwrap());
    (StatusCode::CREATED, headers).into_response()
}

async fn next_document(State(s): Shared, Path(id): Path<u32>) -> Response {
    let page = {
        let mut s = s.lock().unwrap();
        s.log.push("GET NextDocument".into());
        let Some(job) = s.job.as_mut().filter(|j| j.id == id && j.pages_left > 0) else {
            // No more pages: the end of the job, as eSCL says it.
            return StatusCode::NOT_FOUND.into_response();
        };
        job.pages_left -= 1;
        let page = (job.width.max(1), job.height.max(1), job.dpi);
        if job.feeder {
            s.feeder -= 1;
        }
        page
    };
    let jpeg = tokio::task::spawn_blocking(move || page_jpeg(page.0, page.1, page.2)).await.unwrap();
    ([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response()
}

async fn end_job(State(s): Shared, Path(id): Path<u32>) -> StatusCode {
    let mut s = s.lock().unwrap();
    s.log.push("DELETE ScanJob".into());
    if s.job.as_ref().is_some_and(|j| j.id == id) {
        s.job = None;
    }
    StatusCode::OK
}

/// A white page with a dark band across its top, as a JPEG that states its resolution.
fn page_jpeg(width: u32, height: u32, dpi: u16) -> Vec<u8> {
    let band = height / 10;
    let page = image::RgbImage::from_fn(width, height, |_, y| {
        if y < band { image::Rgb([30, 60, 120]) } else { image::Rgb([255, 255, 255]) }
    });
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi));
    encoder.encode_image(&page).unwrap();
    out
}
