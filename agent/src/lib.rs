//! The Guichet agent: the privileged half of the kiosk.
//!
//! It owns sessions and their wiping, the devices, the local store and the fleet client.
//! It serves the kiosk over a Unix socket (`server`) and never draws a pixel. It must
//! never log or store a citizen's data: no document content, no typed text, no file
//! names — only counts.

mod child;
pub mod clock;
pub mod config;
mod convert;
pub mod devices;
pub mod error;
pub mod fleet;
pub mod hardware;
pub mod health;
pub mod lockdown;
pub mod pin;
pub mod remote;
mod requests;
pub mod scans_pdf;
pub mod screen_power;
pub mod server;
pub mod session;
pub mod session_folder;
pub mod store;
mod store_key;
pub mod system;
pub mod visit;
pub mod vocabulary;
pub mod wipe;

pub use config::Config;
pub use devices::Devices;
pub use error::AgentError;
pub use server::{Setup, run};
