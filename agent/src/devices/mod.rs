//! The devices the agent drives, each behind a trait so the real one and a simulated one
//! are chosen at start-up, never by `#[cfg]`: the printer (`printer`), the scanner
//! (`scanner`), the header's pins (`pins`), the backlight (`backlight`), and the two of
//! the lockdown, the keyboards (`keyboards`) and the virtual terminals (`vt`).

pub mod backlight;
pub mod keyboards;
pub mod pins;
pub mod printer;
pub mod scanner;
mod scanner_options;
pub mod vt;

use std::sync::Arc;

use guichet_protocol::DeviceStatus;

use crate::config::DeviceConfig;
use crate::error::AgentError;
use backlight::{Backlight, FakeBacklight, SysfsBacklight};
use pins::{FakePins, MissingPins, Pins, RpiPins};
use printer::{IppPrinter, Printer, SimulatedPrinter};
use scanner::{SaneScanner, Scanner, SimulatedScanner};

#[derive(Clone)]
pub struct Devices {
    pub printer: Arc<dyn Printer>,
    pub scanner: Arc<dyn Scanner>,
    pub pins: Arc<dyn Pins>,
    pub backlight: Arc<dyn Backlight>,
}

impl Devices {
    /// Every device simulated: a development machine, the tests, the README's demo.
    pub fn simulated() -> Devices {
        Devices {
            printer: Arc::new(SimulatedPrinter::default()),
            scanner: Arc::new(SimulatedScanner),
            pins: Arc::new(FakePins::default()),
            backlight: Arc::new(FakeBacklight::default()),
        }
    }

    /// The devices named by the config. A printer URI that cannot be used stops the agent
    /// at start-up; a header that cannot be opened is reported as `missing` instead, so
    /// the kiosk still serves without its button.
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
        let pins: Arc<dyn Pins> = match config.gpio.as_str() {
            "simulated" => Arc::new(FakePins::default()),
            "rpi" => match RpiPins::open(&config.pins) {
                Ok(pins) => Arc::new(pins),
                Err(e) => {
                    tracing::error!(cause = %e, "cannot open the GPIO header: no button, LED or sensor");
                    Arc::new(MissingPins)
                }
            },
            other => {
                return Err(AgentError::BadDevice {
                    device: "gpio",
                    message: format!("{other:?}: expected simulated or rpi"),
                });
            }
        };
        let backlight: Arc<dyn Backlight> = match config.backlight.as_str() {
            "simulated" | "none" => Arc::new(FakeBacklight::default()),
            "sysfs" => Arc::new(SysfsBacklight::new()),
            other => {
                return Err(AgentError::BadDevice {
                    device: "backlight",
                    message: format!("{other:?}: expected simulated, sysfs or none"),
                });
            }
        };
        Ok(Devices { printer, scanner, pins, backlight })
    }

    pub async fn statuses(&self) -> Vec<DeviceStatus> {
        vec![self.printer.status().await, self.scanner.status().await, self.pins.status()]
    }
}
