//! What the fleet changed on this kiosk, applied while the agent runs and remembered in
//! the store across restarts: settings over the config's, the attract screen's message,
//! the content bundle in use. Only signed documents get here (`fleet::commands` checks).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use guichet_protocol::fleet::{RemoteSettings, SettingsDocument};

use crate::config::Config;
use crate::pin::PinGuard;
use crate::store::Store;

const SETTINGS: &str = "fleet.settings";
const MESSAGE: &str = "fleet.attract_message";
const CONTENT: &str = "fleet.content";

/// The attract screen's message: texts by language, until a unix time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttractMessage {
    pub texts: BTreeMap<String, String>,
    pub until: Option<u64>,
}

/// The content bundle in use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InstalledContent {
    pub folder: PathBuf,
    pub version: String,
}

pub struct Remote {
    document: RwLock<SettingsDocument>,
    pin: RwLock<Arc<PinGuard>>,
    message: RwLock<AttractMessage>,
    content: RwLock<Option<InstalledContent>>,
}

impl Remote {
    /// What the store remembers, over the config.
    pub fn load(config: &Config, store: &Store) -> Remote {
        let read = |key: &str| store.get(key).ok().flatten();
        let document: SettingsDocument = read(SETTINGS).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        let pin = document.settings.mediator_pin_hash.clone().or_else(|| config.mediator_pin_hash.clone());
        let content: Option<InstalledContent> =
            read(CONTENT).and_then(|t| serde_json::from_str(&t).ok()).filter(|c: &InstalledContent| c.folder.is_dir());
        Remote {
            pin: RwLock::new(Arc::new(PinGuard::new(pin))),
            document: RwLock::new(document),
            message: RwLock::new(read(MESSAGE).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()),
            content: RwLock::new(content),
        }
    }

    pub fn settings(&self) -> RemoteSettings {
        read(&self.document).settings.clone()
    }

    pub fn issued_at(&self) -> u64 {
        read(&self.document).issued_at
    }

    pub fn pin(&self) -> Arc<PinGuard> {
        Arc::clone(&read(&self.pin))
    }

    /// Applies and remembers new settings. A new PIN hash starts a fresh guard (and
    /// lifts a lock the old PIN was under).
    pub fn set_settings(
        &self,
        document: SettingsDocument,
        config: &Config,
        store: &Store,
    ) -> Result<(), crate::AgentError> {
        store.set(SETTINGS, &serde_json::to_string(&document).unwrap_or_default())?;
        let pin = document.settings.mediator_pin_hash.clone().or_else(|| config.mediator_pin_hash.clone());
        if read(&self.document).settings.mediator_pin_hash != document.settings.mediator_pin_hash {
            *write(&self.pin) = Arc::new(PinGuard::new(pin));
        }
        *write(&self.document) = document;
        Ok(())
    }

    /// The message to show at `now`, if any.
    pub fn message(&self, now: u64) -> BTreeMap<String, String> {
        let m = read(&self.message);
        if m.until.is_some_and(|u| u <= now) { BTreeMap::new() } else { m.texts.clone() }
    }

    pub fn message_until(&self) -> Option<u64> {
        read(&self.message).until
    }

    pub fn set_message(&self, message: AttractMessage, store: &Store) -> Result<(), crate::AgentError> {
        store.set(MESSAGE, &serde_json::to_string(&message).unwrap_or_default())?;
        *write(&self.message) = message;
        Ok(())
    }

    pub fn content(&self) -> Option<InstalledContent> {
        read(&self.content).clone()
    }

    pub fn set_content(&self, content: InstalledContent, store: &Store) -> Result<(), crate::AgentError> {
        store.set(CONTENT, &serde_json::to_string(&content).unwrap_or_default())?;
        *write(&self.content) = Some(content);
        Ok(())
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
