//! The kiosk's hardware as the agent runs it over time: the call button and the status
//! LED (through `devices::pins`), the presence sensor, screen power by the site's opening
//! hours and who is there (`screen_power`), and the fault light. `start` spawns the loops.
//! (Not the mediator's panel on screen: that is the kiosk's, `requests::mediator` answers
//! its PIN.)

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use guichet_protocol::{AgentMessage, CallSource};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::clock::{Clock, open_at};
use crate::devices::pins::{self, Led, Signal};
use crate::screen_power::ScreenPower;
use crate::session::Agent;
use crate::visit::lock;

/// A call for help lights the LED this long at most, if no mediator opens the panel.
const HELP_SHOWN: Duration = Duration::from_secs(15 * 60);
/// How often devices are asked whether they work, for the fault light.
const FAULT_CHECK: Duration = Duration::from_secs(30);

impl Agent {
    /// A touch on the dark screen, the presence sensor, or the button.
    pub(crate) fn someone_there(&self, at: Instant, urgent: bool) {
        let mut activity = lock(&self.kiosk_state().activity);
        *activity = Some(activity.map_or(at, |a| a.max(at)));
        drop(activity);
        if urgent {
            self.kiosk_state().wake.notify_one();
        }
    }

    pub(crate) fn screen_on(&self) -> bool {
        self.kiosk_state().screen_on.load(Ordering::SeqCst)
    }

    /// What the status LED shows now.
    pub fn led(&self) -> Led {
        let help = lock(&self.kiosk_state().help_called).is_some_and(|at| at.elapsed() < HELP_SHOWN);
        if help {
            Led::HelpCalled
        } else if self.kiosk_state().fault.load(Ordering::SeqCst) {
            Led::Fault
        } else if self.open_folder().is_some() {
            Led::InUse
        } else {
            Led::Idle
        }
    }
}

/// Starts the pins, screen and fault loops; abort the handles to stop them.
pub fn start(agent: &Arc<Agent>, clock: Arc<dyn Clock>) -> Vec<JoinHandle<()>> {
    let (signals_tx, mut signals) = mpsc::channel(8);
    let pins = Arc::clone(&agent.devices().pins);
    let weak = Arc::downgrade(agent);
    let pins_loop = tokio::spawn(pins::run(pins, signals_tx, move || weak.upgrade().map_or(Led::Fault, |a| a.led())));

    let me = Arc::clone(agent);
    let signal_loop = tokio::spawn(async move {
        while let Some(signal) = signals.recv().await {
            match signal {
                Signal::Button => {
                    me.mediator_called(CallSource::Button);
                    me.someone_there(Instant::now(), true);
                }
                Signal::Presence => me.someone_there(Instant::now(), true),
            }
        }
    });

    let me = Arc::clone(agent);
    let screen_loop = tokio::spawn(async move { screen_loop(&me, clock.as_ref()).await });

    let me = Arc::clone(agent);
    let fault_loop = tokio::spawn(async move {
        let mut tick = tokio::time::interval(FAULT_CHECK);
        loop {
            tick.tick().await;
            // Not during a visit: asking the scanner for its list could disturb a scan,
            // and a scanner busy scanning can look missing.
            if me.open_folder().is_some() {
                continue;
            }
            let faulty = me.devices().statuses().await.iter().any(|d| d.state != "ready");
            me.kiosk_state().fault.store(faulty, Ordering::SeqCst);
        }
    });
    vec![pins_loop, signal_loop, screen_loop, fault_loop]
}

/// Decides every second (and at once on a wake) whether the screen is lit, and tells the
/// backlight and the kiosk when that changes.
async fn screen_loop(agent: &Agent, clock: &dyn Clock) {
    let start = Instant::now();
    let hours = agent.site().map(|s| s.hours).unwrap_or_default();
    let mut power = ScreenPower::new(&agent.config().screen);
    let mut lit = true;
    agent.devices().backlight.set(true);
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = agent.kiosk_state().wake.notified() => {}
        }
        let now = Instant::now();
        if let Some(at) = *lock(&agent.kiosk_state().activity) {
            power.activity(at.saturating_duration_since(start));
        }
        let open = open_at(&hours, clock.local());
        let wanted = power.lit(now.duration_since(start), open, agent.open_folder().is_some());
        if wanted != lit {
            lit = wanted;
            tracing::info!(lit, open, "screen");
            agent.devices().backlight.set(lit);
            agent.kiosk_state().screen_on.store(lit, Ordering::SeqCst);
            let _ = agent.events().send(AgentMessage::Screen { on: lit });
        }
    }
}
