//! The physical side on fake pins and a fake clock, in tokio's paused time: the mediator
//! button through its bounce, the LED's patterns, the presence sensor, and the screen by
//! opening hours, touches and sessions.

use std::sync::Arc;
use std::time::Duration;

use guichet_agent::clock::{Clock, LocalTime};
use guichet_agent::devices::backlight::FakeBacklight;
use guichet_agent::devices::pins::{FakePins, Led, RpiPins};
use guichet_agent::session::Agent;
use guichet_agent::store::Store;
use guichet_agent::{Config, Devices, hardware};
use guichet_protocol::{AgentMessage, CallSource, ClientMessage, EndReason, Weekday};
use tokio::sync::broadcast;
use tokio::time::{Instant, sleep};

/// Local time that starts at `minute` on `day` and runs with tokio's (paused) clock.
struct TestClock {
    start: Instant,
    day: Weekday,
    minute: u32,
}

impl Clock for TestClock {
    fn local(&self) -> LocalTime {
        LocalTime { day: self.day, minute: self.minute + (self.start.elapsed().as_secs() / 60) as u32 }
    }
}

struct Kiosk {
    agent: Arc<Agent>,
    pins: Arc<FakePins>,
    backlight: Arc<FakeBacklight>,
    events: broadcast::Receiver<AgentMessage>,
    _tasks: Vec<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// An agent open Monday to Friday 08:30–12:00, started at `minute` on Monday.
fn kiosk(minute: u32) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let hours = "[site]\nname = \"Mairie\"\nhours = [{ days = \"mon-fri\", open = \"08:30\", close = \"12:00\" }]\n";
    let mut config = Config::from_toml(hours, std::path::Path::new("test.toml")).unwrap();
    config.runtime_dir = dir.path().join("run");
    std::fs::create_dir_all(config.sessions_dir()).unwrap();
    config.kiosk_user = None;
    let pins = Arc::new(FakePins::default());
    let backlight = Arc::new(FakeBacklight::default());
    let devices = Devices { pins: pins.clone(), backlight: backlight.clone(), ..Devices::simulated() };
    let agent = Agent::new(config, devices, Store::open_in_memory().unwrap());
    let events = agent.subscribe();
    let clock = Arc::new(TestClock { start: Instant::now(), day: Weekday::Mon, minute });
    let tasks = hardware::start(&agent, clock);
    Kiosk { agent, pins, backlight, events, _tasks: tasks, _dir: dir }
}

impl Kiosk {
    /// The next `screen` event and when it came, within `within`.
    async fn next_screen(&mut self, within: Duration) -> Option<(bool, Instant)> {
        let deadline = Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Ok(AgentMessage::Screen { on })) => return Some((on, Instant::now())),
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => panic!("events: {e}"),
                Err(_) => return None,
            }
        }
    }

    fn calls(&mut self) -> usize {
        std::iter::from_fn(|| self.events.try_recv().ok())
            .filter(|m| matches!(m, AgentMessage::MediatorCalled { from: CallSource::Button }))
            .count()
    }

    async fn send(&self, msg: ClientMessage) -> AgentMessage {
        self.agent.handle(1, msg).await
    }
}

const MIN: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn a_bouncing_button_calls_one_mediator_and_the_led_says_so() {
    let mut k = kiosk(9 * 60);
    sleep(Duration::from_millis(100)).await;
    assert_eq!(k.agent.led(), Led::Idle);
    assert!(k.pins.led(), "idle is steady on");

    // A glitch shorter than the debounce is nothing.
    k.pins.press(true);
    sleep(Duration::from_millis(20)).await;
    k.pins.press(false);
    sleep(Duration::from_millis(200)).await;
    assert_eq!(k.calls(), 0, "a 20 ms glitch called a mediator");

    // A press that bounces on the way down and up: one call.
    for i in 0..8 {
        k.pins.press(i % 2 == 0);
        sleep(Duration::from_millis(3)).await;
    }
    k.pins.press(true);
    sleep(Duration::from_millis(300)).await;
    for i in 0..8 {
        k.pins.press(i % 2 == 1);
        sleep(Duration::from_millis(3)).await;
    }
    k.pins.press(false);
    let called = Instant::now();
    sleep(Duration::from_secs(2)).await;
    assert_eq!(k.calls(), 1, "one press, however it bounced, is one call");
    assert_eq!(k.agent.status().await.counters.mediator_calls, 1);
    assert_eq!(k.agent.led(), Led::HelpCalled);

    // Fast blinking: the LED changes every 150 ms once the call is seen.
    let changes: Vec<_> = k.pins.led_changes().into_iter().filter(|(t, _)| *t > called).collect();
    assert!(changes.len() >= 10, "{changes:?}");
    for pair in changes.windows(2).skip(1) {
        assert_eq!(pair[1].0 - pair[0].0, Duration::from_millis(150), "{changes:?}");
        assert_ne!(pair[0].1, pair[1].1);
    }

    // A session in use blinks slowly; the call is answered when the visit ends.
    let AgentMessage::SessionStarted { .. } = k.send(ClientMessage::StartSession { id: 1 }).await else {
        panic!("no session")
    };
    assert_eq!(k.agent.led(), Led::HelpCalled, "the call outranks 'in use'");
    k.send(ClientMessage::EndSession { id: 2, reason: EndReason::Completed }).await;
    assert_eq!(k.agent.led(), Led::Idle);
    k.send(ClientMessage::StartSession { id: 3 }).await;
    assert_eq!(k.agent.led(), Led::InUse);
    assert!(Led::InUse.lit_at(Duration::from_millis(500)));
    assert!(!Led::InUse.lit_at(Duration::from_millis(1500)));
    assert!(Led::Fault.lit_at(Duration::from_millis(350)), "the second flash");
    assert!(!Led::Fault.lit_at(Duration::from_millis(1000)));
}

#[tokio::test(start_paused = true)]
async fn the_screen_follows_opening_hours_touches_and_presence() {
    // Monday 08:00: closed until 08:30.
    let mut k = kiosk(8 * 60);
    let start = Instant::now();

    // Closed: dark after a minute with nobody.
    let (on, at) = k.next_screen(5 * MIN).await.expect("the screen never went dark");
    assert!(!on);
    assert!(at - start >= MIN && at - start <= MIN + Duration::from_secs(2), "{:?}", at - start);
    assert_eq!(k.backlight.changes.lock().unwrap().last(), Some(&false));
    assert!(!k.agent.status().await.screen_on);

    // A touch on the dark screen: lit at once, not at the next second.
    let touched = Instant::now();
    assert!(matches!(k.send(ClientMessage::Wake { id: 1 }).await, AgentMessage::Ack { .. }));
    let (on, at) = k.next_screen(MIN).await.expect("wake did nothing");
    assert!(on);
    assert!(at - touched < Duration::from_millis(50), "{:?}", at - touched);

    // Still closed: dark again a minute later; then the presence sensor lights it.
    assert_eq!(k.next_screen(2 * MIN).await.map(|s| s.0), Some(false));
    k.pins.sense(true);
    let sensed = Instant::now();
    let (on, at) = k.next_screen(MIN).await.expect("presence did nothing");
    assert!(on && at - sensed < Duration::from_millis(100), "{:?}", at - sensed);
    k.pins.sense(false);
    assert_eq!(k.next_screen(2 * MIN).await.map(|s| s.0), Some(false));

    // 08:30: opening lights the screen by itself.
    let (on, at) = k.next_screen(30 * MIN).await.expect("opening did not light the screen");
    assert!(on);
    assert_eq!((at - start).as_secs() / 60, 30);

    // Open: the kiosk's heartbeats say when it was last touched; 20 minutes later, dark.
    k.send(ClientMessage::Alive { id: 2, screen: "attract".into(), idle_s: 0 }).await;
    let last_touch = Instant::now();
    for i in 1..=6 {
        sleep(MIN).await;
        k.send(ClientMessage::Alive { id: 2 + i, screen: "attract".into(), idle_s: 60 * i as u32 }).await;
    }
    let (on, at) = k.next_screen(30 * MIN).await.expect("never slept while open");
    assert!(!on);
    let slept_after = at - last_touch;
    assert!(slept_after >= 20 * MIN && slept_after <= 20 * MIN + Duration::from_secs(2), "{slept_after:?}");
    let seen = k.agent.status().await.kiosk.expect("the heartbeat is in the status");
    assert_eq!((seen.screen.as_str(), seen.connected), ("attract", true));

    // A visit keeps the screen lit past the limit, and past closing time (12:00).
    k.send(ClientMessage::Wake { id: 20 }).await;
    assert_eq!(k.next_screen(MIN).await.map(|s| s.0), Some(true));
    k.send(ClientMessage::StartSession { id: 21 }).await;
    assert_eq!(k.next_screen(4 * 60 * MIN).await, None, "dark during a visit");
    let now = TestClock { start, day: Weekday::Mon, minute: 8 * 60 }.local();
    assert!(now.minute >= 12 * 60 + 30, "the visit should have run past closing: {now:?}");
    k.send(ClientMessage::EndSession { id: 22, reason: EndReason::Completed }).await;
    // Closed now: the short limit applies from the last sign of life, long past.
    assert_eq!(k.next_screen(2 * MIN).await.map(|s| s.0), Some(false));
}

#[test]
fn the_real_header_is_refused_off_a_raspberry_pi_with_a_reason() {
    let Err(e) = RpiPins::open(&Default::default()) else {
        eprintln!("skipped: this machine has a GPIO header rppal can open");
        return;
    };
    assert!(!e.to_string().is_empty());
    let devices =
        Devices::from_config(&guichet_agent::config::DeviceConfig { gpio: "rpi".into(), ..Default::default() })
            .unwrap();
    assert_eq!(devices.pins.status().state, "missing", "reported, not pretended");
    let bad = Devices::from_config(&guichet_agent::config::DeviceConfig { gpio: "pi".into(), ..Default::default() });
    assert!(bad.is_err());
}
