//! Running what IT staff asked, each command once (the fleet resends a command until its
//! result arrives), each answered with a result: done, or refused and why. Settings and
//! content must carry the fleet's signature; a visit in progress is never cut short by a
//! reboot, which waits for it to end.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;
use guichet_protocol::fleet::{Action, BundleManifest, Command, CommandAck, SettingsDocument, usage_name_allowed};
use guichet_protocol::{AgentMessage, EndReason};

use super::link::Link;
use super::signed;
use crate::remote::{AttractMessage, InstalledContent};
use crate::session::Agent;

/// What to do with a command now.
pub enum Outcome {
    Done(CommandAck),
    /// Not now (a reboot during a visit): it comes again with the next report.
    Later,
    /// Acknowledged as done; the machine restarts once the result is sent.
    Reboot(CommandAck),
}

impl Agent {
    pub(crate) async fn run_command(
        &self,
        link: &Link,
        token: &str,
        key: Option<&VerifyingKey>,
        command: &Command,
    ) -> Outcome {
        let id = command.id;
        let ack = |ok: bool, detail: String| CommandAck { id, ok, detail };
        let result = match &command.action {
            Action::Reboot if self.in_session() => return Outcome::Later,
            Action::Reboot => return Outcome::Reboot(ack(true, "rebooting".into())),
            Action::WipeNow => match self.wipe_open(None, EndReason::WipedByStaff).await {
                Ok(true) => Ok("the visit in progress was erased".to_owned()),
                Ok(false) => Ok("no visit was in progress".to_owned()),
                // The error says the step and the system's error, never a path or an id.
                Err(e) => Err(format!("wipe_failed: {e}")),
            },
            Action::Settings { signed } => self.apply_settings(signed::open(signed, key).map_err(|e| e.to_string())),
            Action::Content { url, signed } => match signed::open::<BundleManifest>(signed, key) {
                Ok(manifest) => self.install_content(link, token, url, manifest).await,
                Err(e) => Err(e.to_string()),
            },
            Action::Message { texts, until } => self.show_message(texts, *until),
            Action::Unknown => Err("unknown_action: this agent is older than the fleet".to_owned()),
        };
        let ack = match result {
            Ok(detail) => ack(true, detail),
            Err(why) => {
                tracing::warn!(command = id, why, "command refused");
                ack(false, why)
            }
        };
        Outcome::Done(ack)
    }

    fn apply_settings(&self, document: Result<SettingsDocument, String>) -> Result<String, String> {
        let mut document = document?;
        // The same document again changes nothing; only an older one is refused.
        if document.issued_at < self.remote().issued_at() {
            return Err("stale: older than the settings in use".into());
        }
        // A field left out keeps what the fleet set before: settings add up.
        let before = self.remote().settings();
        let s = &mut document.settings;
        s.mediator_pin_hash = s.mediator_pin_hash.take().or(before.mediator_pin_hash);
        s.print_page_limit = s.print_page_limit.or(before.print_page_limit);
        s.scan_page_limit = s.scan_page_limit.or(before.scan_page_limit);
        s.health_sites = s.health_sites.take().or(before.health_sites);
        s.sample_every_min = s.sample_every_min.or(before.sample_every_min);
        let s = &document.settings;
        if let Some(hash) = &s.mediator_pin_hash
            && (!hash.starts_with("$argon2") || argon2::password_hash::PasswordHash::new(hash).is_err())
        {
            return Err("bad_settings: mediator_pin_hash is not an argon2 hash".into());
        }
        let limit_ok = |l: Option<u32>| l.is_none_or(|n| (1..=500).contains(&n));
        if !limit_ok(s.print_page_limit) || !limit_ok(s.scan_page_limit) {
            return Err("bad_settings: page limits are 1 to 500".into());
        }
        if s.health_sites
            .as_ref()
            .is_some_and(|sites| sites.len() > 20 || sites.iter().any(|u| !u.starts_with("https://")))
        {
            return Err("bad_settings: health_sites are at most 20 https:// addresses".into());
        }
        if s.sample_every_min.is_some_and(|m| !(1..=1440).contains(&m)) {
            return Err("bad_settings: sample_every_min is 1 to 1440".into());
        }
        self.remote().set_settings(document, self.config(), self.store()).map_err(|e| e.to_string())?;
        tracing::info!("settings from the fleet applied");
        Ok("applied".into())
    }

    async fn install_content(
        &self,
        link: &Link,
        token: &str,
        url: &str,
        manifest: BundleManifest,
    ) -> Result<String, String> {
        let tar = link.download(token, url).await.map_err(|e| format!("download_failed: {e}"))?;
        let dir = self.config().content_dir();
        let version = manifest.version.clone();
        let folder = tokio::task::spawn_blocking(move || super::content::install(&tar, &manifest, &dir))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        // The kiosk is given the bundle's own folder (`current` names it too, for people):
        // a new bundle is a new folder, so the kiosk knows to load it.
        self.remote()
            .set_content(InstalledContent { folder: folder.clone(), version: version.clone() }, self.store())
            .map_err(|e| e.to_string())?;
        self.content_in_use(&folder);
        tracing::info!(version, folder = %folder.display(), "content installed");
        let _ = self.events().send(AgentMessage::ContentChanged {
            folder: folder.to_string_lossy().into_owned(),
            version: version.clone(),
        });
        Ok(format!("installed {version}"))
    }

    fn show_message(&self, texts: &BTreeMap<String, String>, until: Option<u64>) -> Result<String, String> {
        if texts.len() > 10 || texts.iter().any(|(lang, text)| !usage_name_allowed(lang) || text.chars().count() > 200)
        {
            return Err("bad_message: at most 10 languages of 200 characters".into());
        }
        if !texts.is_empty() && !texts.contains_key("fr") {
            return Err("bad_message: the French text is needed".into());
        }
        let message = AttractMessage { texts: texts.clone(), until };
        self.remote().set_message(message, self.store()).map_err(|e| e.to_string())?;
        let _ = self
            .events()
            .send(AgentMessage::AttractMessage { texts: self.remote().message(crate::system::unix_now()) });
        Ok(if texts.is_empty() { "message removed".into() } else { "message shown".into() })
    }
}
