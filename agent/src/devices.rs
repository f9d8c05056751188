//! The devices the agent drives, each behind a trait so the real one and a simulated one
//! are chosen at start-up, never by `#[cfg]`. This walking skeleton only reports their
//! state; printing, scanning and GPIO land in their own work on these same traits.

use std::sync::Arc;

use guichet_protocol::DeviceStatus;

use crate::config::DeviceConfig;

pub trait Printer: Send + Sync {
    fn status(&self) -> DeviceStatus;
}

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
            printer: Arc::new(Simulated("printer")),
            scanner: Arc::new(Simulated("scanner")),
            gpio: Arc::new(Simulated("gpio")),
        }
    }

    /// The devices named by the config. Until the device work lands, a real device is
    /// reported as `not_supported_yet` rather than pretended to work.
    pub fn from_config(config: &DeviceConfig) -> Devices {
        fn pick(name: &'static str, setting: &str) -> Arc<dyn DeviceKinds> {
            if setting == "simulated" { Arc::new(Simulated(name)) } else { Arc::new(Unsupported(name)) }
        }
        Devices {
            printer: pick("printer", &config.printer),
            scanner: pick("scanner", &config.scanner),
            gpio: pick("gpio", &config.gpio),
        }
    }

    pub fn statuses(&self) -> Vec<DeviceStatus> {
        vec![self.printer.status(), self.scanner.status(), self.gpio.status()]
    }
}

/// Lets one stand-in object serve as any of the three traits.
trait DeviceKinds: Printer + Scanner + Gpio {}
impl<T: Printer + Scanner + Gpio> DeviceKinds for T {}

/// A simulated device that is always ready.
struct Simulated(&'static str);

/// A real device this build cannot drive yet: reported, never faked.
struct Unsupported(&'static str);

macro_rules! device_impls {
    ($($t:ident),*) => {$(
        impl $t for Simulated {
            fn status(&self) -> DeviceStatus {
                DeviceStatus { device: self.0.into(), state: "ready".into(), simulated: true }
            }
        }
        impl $t for Unsupported {
            fn status(&self) -> DeviceStatus {
                DeviceStatus { device: self.0.into(), state: "not_supported_yet".into(), simulated: false }
            }
        }
    )*};
}
device_impls!(Printer, Scanner, Gpio);
