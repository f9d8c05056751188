//! Tap → next step fully painted: the kiosk's real UI on the headless software renderer
//! at 1920×1080, walking every step of every procedure (answering each question with its
//! first choice); each sample is the controller action plus a full repaint.
//!
//!   cargo build --release --workspace && target/release/bench-tap [ROUNDS]

use std::time::{Duration, Instant};

use guichet_kiosk::agent_link::Link;
use guichet_kiosk::commands::Event;
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::render::{HeadlessPlatform, render};
use guichet_kiosk::speech::SilentSpeaker;
use guichet_kiosk::ui::KioskUi;
use guichet_kiosk::{AppWindow, Assets, default_content_dir};
use guichet_protocol::{AgentMessage, SessionId};
use slint::ComponentHandle;

/// What the agent answers to `start_session`, so the walk needs no agent.
fn started() -> Event {
    Event::Agent(AgentMessage::SessionStarted { id: 1, session: SessionId("bench".into()), folder: "/tmp".into() })
}

fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(5);
    let window = HeadlessPlatform::install(1920, 1080).map_err(anyhow::Error::msg)?;
    let assets = Assets::load(&default_content_dir());
    let (link, _commands) = Link::detached();
    let app = AppWindow::new()?;
    let ui = KioskUi::new(app, Controller::new(assets.procedures, assets.catalogs), Box::new(SilentSpeaker), link);
    ui.window().show()?;
    ui.on_link_event(Event::Connected);
    ui.act(Controller::touch_attract);
    ui.on_link_event(started());
    ui.update(|c| c.choose_language("fr"));
    render(&window);

    let mut samples: Vec<Duration> = Vec::new();
    let mut timed = |action: &dyn Fn(&KioskUi)| {
        let start = Instant::now();
        action(&ui);
        let frame = render(&window);
        samples.push(start.elapsed());
        std::hint::black_box(frame);
    };
    let procedures = ui.controller().procedures().len();
    for _ in 0..rounds {
        for p in 0..procedures {
            timed(&|ui| ui.update(|c| c.open_procedure(p)));
            loop {
                let (kind, done) = {
                    let c = ui.controller();
                    let step = &c.procedures()[p].steps[c.step_index()];
                    (step.kind, step.kind == guichet_kiosk::content::StepKind::Done)
                };
                if done {
                    break;
                }
                if kind == guichet_kiosk::content::StepKind::Question {
                    timed(&|ui| ui.update(|c| c.choose(0)));
                } else {
                    timed(&|ui| ui.act(Controller::next_step));
                }
            }
            while ui.controller().screen() == Screen::Step {
                ui.update(Controller::back);
            }
        }
    }
    samples.sort();
    let ms = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "tap → next step painted (1920×1080, software renderer): median {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} taps",
        ms(0.5),
        ms(0.99),
        ms(1.0),
        samples.len()
    );
    Ok(())
}
