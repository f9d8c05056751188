//! The devices the agent drives, each behind a trait so the real one and a simulated one
//! are chosen at start-up, never by `#[cfg]`. The printer is in `printer`; scanning and
//! GPIO only report their state so far.

use std::sync::Arc;

use guichet_protocol::DeviceStatus;

use crate::config::DeviceConfig;
use crate::error::AgentError;
use crate::printer::{IppPrinter, Printer, SimulatedPrinter};

pub trait Scanner: Send + Sync {
    fn status(&self) -> DeviceStatus;
}

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
            scanner: Arc::new(Simulated("scanner")),
            gpio: Arc::new(Simulated("gpio")),
        }
    }

    /// The devices named by the config. A real scanner or GPIO is reported as
    /// `not_supported_yet` until its work lands, rather than pretended to work; a printer
    /// URI that cannot be used stops the agent at start-up.
    pub fn from_config(config: &DeviceConfig) -> Result<Devices, AgentError> {
        fn pick(name: &'static str, setting: &str) -> Arc<dyn DeviceKinds> {
            if setting == "simulated" { Arc::new(Simulated(name)) } else { Arc::new(Unsupported(name)) }
        }
        let printer: Arc<dyn Printer> = match config.printer.as_str() {
            "simulated" => Arc::new(SimulatedPrinter::default()),
            uri => {
                Arc::new(IppPrinter::new(uri).map_err(|message| AgentError::BadDevice { device: "printer", message })?)
            }
        };
        Ok(Devices { printer, scanner: pick("scanner", &config.scanner), gpio: pick("gpio", &config.gpio) })
    }

    pub async fn statuses(&self) -> Vec<DeviceStatus> {
        vec![self.printer.status().await, self.scanner.status(), self.gpio.status()]
    }
}

/// Lets one stand-in object serve as either trait.
trait DeviceKinds: Scanner + Gpio {}
impl<T: Scanner + Gpio> DeviceKinds for T {}

/// A simulated device that is always ready.
struct Simulated(&'static str);

/// A real device this build cannot drive yet: reported, never faked.
struct Unsupported(&'static str);

macro_rules! device_impls {
    ($($t:ident),*) => {$(
        impl $t for Simulated {
            fn status(&self) -> DeviceStatus {
                DeviceStatus { device: self.0.into(), state: "ready".into(), simulated: true, ..Default::default() }
            }
        }
        impl $t for Unsupported {
            fn status(&self) -> DeviceStatus {
                DeviceStatus { device: self.0.into(), state: "not_supported_yet".into(), ..Default::default() }
            }
        }
    )*};
}
device_impls!(Scanner, Gpio);
