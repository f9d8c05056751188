//! The devices the agent drives, each behind a trait so the real one and a simulated one
//! are chosen at start-up, never by `#[cfg]`. The printer is in `printer`, the scanner in
//! `scanner`; GPIO only reports its state so far.

use std::sync::Arc;

use guichet_protocol::DeviceStatus;

use crate::config::DeviceConfig;
use crate::error::AgentError;
use crate::printer::{IppPrinter, Printer, SimulatedPrinter};
use crate::scanner::{SaneScanner, Scanner, SimulatedScanner};

pub trait Gpio: Send + Sync {
    fn status(&self) -> DeviceStatus;
}

#[derive(Clone)]
pub struct Devices {
    pub printer: Arc<dyn Printer>,
    pub scanner: Arc<dyn Scanner>,
    pub gpio: Arc<dyn Gpio>,
}

impl Devices {
    /// Every device simulated: a development machine, the tests, the README's demo.
    pub fn simulated() -> Devices {
        Devices {
            printer: Arc::new(SimulatedPrinter::default()),
            scanner: Arc::new(SimulatedScanner),
            gpio: Arc::new(SimulatedGpio),
        }
    }

    /// The devices named by the config. A real GPIO is reported as `not_supported_yet`
    /// until its work lands, rather than pretended to work; a printer URI that cannot be
    /// used stops the agent at start-up.
    pub fn from_config(config: &DeviceConfig) -> Result<Devices, AgentError> {
        let printer: Arc<dyn Printer> = match config.printer.as_str() {
            "simulated" => Arc::new(SimulatedPrinter::default()),
            uri => {
                let bad = |message| AgentError::BadDevice { device: "printer", message };
                let certificate = match &config.printer_certificate {
                    Some(path) => {
                        Some(std::fs::read(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?)
                    }
                    None => None,
                };
                Arc::new(IppPrinter::new(uri, certificate.as_deref()).map_err(bad)?)
            }
        };
        let scanner: Arc<dyn Scanner> = match config.scanner.as_str() {
            "simulated" => Arc::new(SimulatedScanner),
            device => Arc::new(SaneScanner::new(
                device,
                config.sane_config_dir.clone(),
                std::time::Duration::from_secs(config.scan_timeout_s.max(1)),
            )),
        };
        let gpio: Arc<dyn Gpio> =
            if config.gpio == "simulated" { Arc::new(SimulatedGpio) } else { Arc::new(UnsupportedGpio) };
        Ok(Devices { printer, scanner, gpio })
    }

    pub async fn statuses(&self) -> Vec<DeviceStatus> {
        vec![self.printer.status().await, self.scanner.status().await, self.gpio.status()]
    }
}

/// Simulated GPIO: always ready.
struct SimulatedGpio;

impl Gpio for SimulatedGpio {
    fn status(&self) -> DeviceStatus {
        DeviceStatus { device: "gpio".into(), state: "ready".into(), simulated: true, ..Default::default() }
    }
}

/// Real GPIO, which this build cannot drive yet: reported, never faked.
struct UnsupportedGpio;

impl Gpio for UnsupportedGpio {
    fn status(&self) -> DeviceStatus {
        DeviceStatus { device: "gpio".into(), state: "not_supported_yet".into(), ..Default::default() }
    }
}
