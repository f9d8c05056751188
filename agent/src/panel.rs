//! The kiosk's physical side as the agent runs it: the heartbeat of the kiosk process,
//! the mediator button and status LED, the presence sensor, and screen power by the
//! site's opening hours. `start` spawns the loops; the rest answers `alive`, `wake` and
//! `call_mediator`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guichet_protocol::{AgentMessage, CallSource, KioskSeen};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::gpio::{self, Led, Signal};
use crate::screen::{Clock, ScreenPower, open_at};
use crate::session::{Agent, ConnId};
use crate::store::Counter;

/// A call for help lights the LED this long at most, if no mediator opens the panel.
const HELP_SHOWN: Duration = Duration::from_secs(15 * 60);
/// How often devices are asked whether they work, for the fault light.
const FAULT_CHECK: Duration = Duration::from_secs(30);

struct Seen {
    screen: String,
    idle_s: u32,
    at: Instant,
    conn: ConnId,
    connected: bool,
}

pub struct PanelState {
    kiosk: Mutex<Option<Seen>>,
    activity: Mutex<Option<Instant>>,
    wake: Notify,
    screen_on: AtomicBool,
    help_called: Mutex<Option<Instant>>,
    fault: AtomicBool,
}

impl Default for PanelState {
    fn default() -> Self {
        PanelState {
            kiosk: Mutex::new(None),
            activity: Mutex::new(None),
            wake: Notify::new(),
            screen_on: AtomicBool::new(true),
            help_called: Mutex::new(None),
            fault: AtomicBool::new(false),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Agent {
    /// The kiosk's heartbeat: it is alive, on `screen`, last touched `idle_s` ago.
    pub(crate) fn kiosk_alive(&self, conn: ConnId, screen: String, idle_s: u32) {
        let now = Instant::now();
        let first = lock(&self.panel().kiosk).as_ref().is_none_or(|s| s.conn != conn);
        *lock(&self.panel().kiosk) = Some(Seen { screen, idle_s, at: now, conn, connected: true });
        // A kiosk that just (re)started is something to see: light the screen.
        let touched = if first { now } else { now.checked_sub(Duration::from_secs(idle_s.into())).unwrap_or(now) };
        self.someone_there(touched, first);
    }

    /// A touch on the dark screen, the presence sensor, or the button.
    pub(crate) fn someone_there(&self, at: Instant, urgent: bool) {
        let mut activity = lock(&self.panel().activity);
        *activity = Some(activity.map_or(at, |a| a.max(at)));
        drop(activity);
        if urgent {
            self.panel().wake.notify_one();
        }
    }

    pub(crate) fn connection_closed(&self, conn: ConnId) {
        if let Some(seen) = lock(&self.panel().kiosk).as_mut().filter(|s| s.conn == conn) {
            seen.connected = false;
        }
    }

    pub(crate) fn mediator_called(&self, from: CallSource) {
        // Counted, never tied to the session: nothing says who needed help.
        self.count(Counter::MediatorCalls);
        tracing::info!(?from, "a mediator was called");
        *lock(&self.panel().help_called) = Some(Instant::now());
        let _ = self.events().send(AgentMessage::MediatorCalled { from });
    }

    /// A mediator came (opened the panel) or the visit ended: the call is answered.
    pub(crate) fn help_answered(&self) {
        lock(&self.panel().help_called).take();
    }

    pub(crate) fn kiosk_seen(&self) -> Option<KioskSeen> {
        lock(&self.panel().kiosk).as_ref().map(|s| KioskSeen {
            screen: s.screen.clone(),
            idle_s: s.idle_s,
            age_ms: s.at.elapsed().as_millis() as u64,
            connected: s.connected,
        })
    }

    pub(crate) fn screen_on(&self) -> bool {
        self.panel().screen_on.load(Ordering::SeqCst)
    }

    /// What the status LED shows now.
    pub fn led(&self) -> Led {
        let help = lock(&self.panel().help_called).is_some_and(|at| at.elapsed() < HELP_SHOWN);
        if help {
            Led::HelpCalled
        } else if self.panel().fault.load(Ordering::SeqCst) {
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
    let pins_loop = tokio::spawn(gpio::run(pins, signals_tx, move || weak.upgrade().map_or(Led::Fault, |a| a.led())));

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
            me.panel().fault.store(faulty, Ordering::SeqCst);
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
            () = agent.panel().wake.notified() => {}
        }
        let now = Instant::now();
        if let Some(at) = *lock(&agent.panel().activity) {
            power.activity(at.saturating_duration_since(start));
        }
        let open = open_at(&hours, clock.local());
        let wanted = power.lit(now.duration_since(start), open, agent.open_folder().is_some());
        if wanted != lit {
            lit = wanted;
            tracing::info!(lit, open, "screen");
            agent.devices().backlight.set(lit);
            agent.panel().screen_on.store(lit, Ordering::SeqCst);
            let _ = agent.events().send(AgentMessage::Screen { on: lit });
        }
    }
}
