//! The kiosk's own buttons and lights, on the Raspberry Pi's header: a physical "call a
//! mediator" button, a status LED, and a presence sensor that wakes the screen.
//!
//! The pins sit behind `Pins`, so the real header (`RpiPins`, through `rppal`) and the fake
//! pins of a development machine or a test (`FakePins`) are chosen at start-up. The
//! driving loop (`run`) polls the inputs every 10 ms and debounces them itself, so the
//! same code is tested on fake pins that bounce, with tokio's paused clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use guichet_protocol::DeviceStatus;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How often the inputs are read.
pub const POLL: Duration = Duration::from_millis(10);
/// An input must hold its new level this long to count: a mechanical button bounces for a
/// few milliseconds, and a child hammering it must not call ten mediators.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// The header's pins, by their BCM numbers. `presence` is optional: not every kiosk has
/// a sensor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PinConfig {
    pub button: u8,
    /// Buttons wired to ground with the internal pull-up read low when pressed.
    pub button_active_low: bool,
    pub led: u8,
    pub presence: Option<u8>,
}

impl Default for PinConfig {
    fn default() -> Self {
        // No sensor unless one is named: a floating pin would wake the screen at random.
        PinConfig { button: 17, button_active_low: true, led: 27, presence: None }
    }
}

/// Raw access to the pins: levels as they are, bounce included.
pub trait Pins: Send + Sync {
    /// Whether the mediator button is held down now.
    fn button(&self) -> bool;
    /// Whether the presence sensor sees someone now (false when there is no sensor).
    fn presence(&self) -> bool;
    fn set_led(&self, on: bool);
    fn status(&self) -> DeviceStatus;
}

/// Pins with no hardware: tests and the demo set the inputs and read the LED.
#[derive(Default)]
pub struct FakePins {
    button: AtomicBool,
    presence: AtomicBool,
    led: AtomicBool,
    /// Every change of the LED with its time, for tests of the blink patterns.
    led_changes: Mutex<Vec<(Instant, bool)>>,
}

impl FakePins {
    pub fn press(&self, down: bool) {
        self.button.store(down, Ordering::SeqCst);
    }

    pub fn sense(&self, someone: bool) {
        self.presence.store(someone, Ordering::SeqCst);
    }

    pub fn led(&self) -> bool {
        self.led.load(Ordering::SeqCst)
    }

    pub fn led_changes(&self) -> Vec<(Instant, bool)> {
        self.led_changes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Pins for FakePins {
    fn button(&self) -> bool {
        self.button.load(Ordering::SeqCst)
    }

    fn presence(&self) -> bool {
        self.presence.load(Ordering::SeqCst)
    }

    fn set_led(&self, on: bool) {
        if self.led.swap(on, Ordering::SeqCst) != on {
            self.led_changes.lock().unwrap_or_else(|p| p.into_inner()).push((Instant::now(), on));
        }
    }

    fn status(&self) -> DeviceStatus {
        DeviceStatus { device: "gpio".into(), state: "ready".into(), simulated: true, ..Default::default() }
    }
}

/// The Raspberry Pi's header through `rppal` (`/dev/gpiomem` or `/dev/gpiochipN`).
pub struct RpiPins {
    button: rppal::gpio::InputPin,
    active_low: bool,
    presence: Option<rppal::gpio::InputPin>,
    led: Mutex<rppal::gpio::OutputPin>,
}

impl RpiPins {
    /// Fails off a Raspberry Pi ("unknown SoC") or when a pin is taken.
    pub fn open(config: &PinConfig) -> Result<RpiPins, rppal::gpio::Error> {
        let gpio = rppal::gpio::Gpio::new()?;
        let button = gpio.get(config.button)?;
        let button = if config.button_active_low { button.into_input_pullup() } else { button.into_input_pulldown() };
        let presence = config.presence.map(|p| gpio.get(p).map(|p| p.into_input())).transpose()?;
        let led = gpio.get(config.led)?.into_output_low();
        Ok(RpiPins { button, active_low: config.button_active_low, presence, led: Mutex::new(led) })
    }
}

impl Pins for RpiPins {
    fn button(&self) -> bool {
        self.button.is_low() == self.active_low
    }

    fn presence(&self) -> bool {
        self.presence.as_ref().is_some_and(|p| p.is_high())
    }

    fn set_led(&self, on: bool) {
        let mut led = self.led.lock().unwrap_or_else(|p| p.into_inner());
        if on { led.set_high() } else { led.set_low() }
    }

    fn status(&self) -> DeviceStatus {
        DeviceStatus { device: "gpio".into(), state: "ready".into(), ..Default::default() }
    }
}

/// The header was asked for but could not be opened: reported, never pretended.
pub struct MissingPins;

impl Pins for MissingPins {
    fn button(&self) -> bool {
        false
    }
    fn presence(&self) -> bool {
        false
    }
    fn set_led(&self, _: bool) {}
    fn status(&self) -> DeviceStatus {
        DeviceStatus { device: "gpio".into(), state: "missing".into(), ..Default::default() }
    }
}

/// One input's debouncing: a new level counts once it has held for `DEBOUNCE`.
#[derive(Debug)]
pub struct Debouncer {
    stable: bool,
    candidate: bool,
    since: Instant,
}

impl Debouncer {
    pub fn new(level: bool, now: Instant) -> Debouncer {
        Debouncer { stable: level, candidate: level, since: now }
    }

    /// Feeds one reading; returns the new stable level when it just changed.
    pub fn feed(&mut self, level: bool, now: Instant) -> Option<bool> {
        if level != self.candidate {
            self.candidate = level;
            self.since = now;
        }
        if self.candidate != self.stable && now.duration_since(self.since) >= DEBOUNCE {
            self.stable = self.candidate;
            return Some(self.stable);
        }
        None
    }
}

/// What the status LED shows, most urgent first when several hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Led {
    /// Fast blinking: a mediator was called and has not come yet.
    HelpCalled,
    /// Two short flashes every two seconds: a device needs IT staff.
    Fault,
    /// Slow blinking: someone is using the kiosk.
    InUse,
    /// Steady: free and working.
    Idle,
}

impl Led {
    /// The pattern as (on, milliseconds) steps, repeated.
    pub fn pattern(self) -> &'static [(bool, u64)] {
        match self {
            Led::HelpCalled => &[(true, 150), (false, 150)],
            Led::Fault => &[(true, 150), (false, 150), (true, 150), (false, 1550)],
            Led::InUse => &[(true, 1000), (false, 1000)],
            Led::Idle => &[(true, 1000)],
        }
    }

    /// Whether the LED is lit `elapsed` into the pattern.
    pub fn lit_at(self, elapsed: Duration) -> bool {
        let steps = self.pattern();
        let period: u64 = steps.iter().map(|s| s.1).sum();
        let mut t = (elapsed.as_millis() as u64) % period;
        for &(on, ms) in steps {
            if t < ms {
                return on;
            }
            t -= ms;
        }
        false
    }
}

/// What the pins tell the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The mediator button was pressed (once per press, however it bounced).
    Button,
    /// The presence sensor started seeing someone.
    Presence,
}

/// Polls the pins until `signals` closes: debounced inputs go out as `Signal`s, and the
/// LED follows the pattern `led()` asks for at each poll.
pub async fn run(pins: std::sync::Arc<dyn Pins>, signals: mpsc::Sender<Signal>, led: impl Fn() -> Led) {
    let start = Instant::now();
    let mut button = Debouncer::new(pins.button(), start);
    let mut presence = Debouncer::new(pins.presence(), start);
    let mut shown = (led(), start);
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let now = tick.tick().await;
        let mut out = Vec::new();
        if button.feed(pins.button(), now) == Some(true) {
            out.push(Signal::Button);
        }
        if presence.feed(pins.presence(), now) == Some(true) {
            out.push(Signal::Presence);
        }
        for signal in out {
            if signals.send(signal).await.is_err() {
                return;
            }
        }
        let wanted = led();
        if wanted != shown.0 {
            // A new pattern starts from its beginning, so a call lights at once.
            shown = (wanted, now);
        }
        pins.set_led(wanted.lit_at(now.duration_since(shown.1)));
    }
}
