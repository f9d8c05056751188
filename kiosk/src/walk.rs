//! The scripted walk behind `kiosk --screenshot DIR`: it drives the real UI through every
//! screen in every language, with the real agent or with answers of its own, and writes
//! each screen to a PNG (drawn by `render`).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use guichet_protocol::{AgentMessage, EndReason, ScannedPage, SessionId, WipeReceipt};
use slint::ComponentHandle;

use crate::agent_link::Link;
use crate::commands::{Command, Event};
use crate::content::StepKind;
use crate::controller::{Controller, Screen};
use crate::print_pages::PrintState;
use crate::render::{HeadlessPlatform, render, write_png};
use crate::scan_pages::ScanState;
use crate::speech::SilentSpeaker;
use crate::ui::{KioskUi, SheetPrinting};
use crate::{AppWindow, Assets};

/// Where the walk's agent events come from.
enum Feed {
    /// The real agent, through the kiosk's own link.
    Agent(mpsc::Receiver<Event>),
    /// No agent: commands are answered here, so every screen can still be drawn.
    Simulated(tokio::sync::mpsc::UnboundedReceiver<Command>),
}

/// Walks every screen in every language and writes `DIR/<lang>-<nn>-<screen>.png`.
/// Returns the files written.
/// What a reception might write, in French and Arabic (other languages fall back to the
/// French).
fn example_staff_message() -> std::collections::BTreeMap<String, String> {
    [
        ("fr", "L'accueil est fermé jeudi après-midi. La borne reste ouverte."),
        ("ar", "مكتب الاستقبال مغلق بعد ظهر يوم الخميس. الجهاز يبقى مفتوحا."),
    ]
    .into_iter()
    .map(|(l, t)| (l.to_owned(), t.to_owned()))
    .collect()
}

fn example_site() -> guichet_protocol::SiteInfo {
    use guichet_protocol::{OpeningHours, Weekday};
    let hours =
        |first, last, open: &str, close: &str| OpeningHours { first, last, open: open.into(), close: close.into() };
    guichet_protocol::SiteInfo {
        name: "Mairie (exemple)".into(),
        phone: "01 23 45 67 89".into(),
        hours: vec![
            hours(Weekday::Mon, Weekday::Fri, "08:30", "17:00"),
            hours(Weekday::Sat, Weekday::Sat, "09:00", "12:00"),
        ],
    }
}

pub fn screenshot_walk(
    dir: &Path,
    size: (u32, u32),
    assets: Assets,
    socket: Option<PathBuf>,
    high_contrast: bool,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let window = HeadlessPlatform::install(size.0, size.1)?;
    let app = AppWindow::new().map_err(|e| e.to_string())?;
    let (link, mut feed) = match socket {
        Some(socket) => {
            let (tx, rx) = mpsc::channel();
            let link = Link::start(socket, move |ev| {
                let _ = tx.send(ev);
            });
            (link, Feed::Agent(rx))
        }
        None => {
            let (link, rx) = Link::detached();
            (link, Feed::Simulated(rx))
        }
    };
    let langs: Vec<&str> = assets.catalogs.iter().map(|c| c.language.code).collect();
    let controller = Controller::new(assets.procedures, assets.catalogs);
    let ui = KioskUi::new(app, controller, Box::new(SilentSpeaker), link);
    if matches!(feed, Feed::Simulated(_)) {
        // No session folder to draw a sheet into: the walk answers "print" itself.
        ui.set_sheet_printing(SheetPrinting::Handed);
    }
    app_show(&ui)?;

    let mut written = Vec::new();
    let mut shot = |lang: &str, n: &mut u32, what: &str| -> Result<(), String> {
        let path = dir.join(format!("{lang}-{n:03}-{what}.png"));
        write_png(&render(&window), &path)?;
        *n += 1;
        written.push(path);
        Ok(())
    };
    if let Feed::Agent(rx) = &feed {
        wait_connected(&ui, rx)?;
    }

    for lang in &langs {
        let mut n = 0;
        // Out of service first, in this language. Without an agent, an example reception
        // stands in for the one its config would name, so that the screen is seen whole.
        if matches!(feed, Feed::Simulated(_)) {
            ui.on_link_event(Event::Site(example_site()));
        }
        ui.update(|c| {
            c.choose_language(lang);
            c.on_event(Event::Disconnected);
        });
        shot(lang, &mut n, "out-of-service")?;
        ui.update(|c| {
            c.on_event(Event::Connected);
        });
        pump(&ui, &mut feed, |c| c.screen() == Screen::Attract)?;
        for _ in 0..langs.len() {
            if ui.content().voice == voice_of(lang) {
                break;
            }
            ui.update(Controller::rotate_attract);
        }
        shot(lang, &mut n, "attract")?;
        // A message from the reception, pushed by IT staff through the fleet.
        ui.update(|c| c.set_staff_message(example_staff_message()));
        shot(lang, &mut n, "attract-message")?;
        ui.update(|c| c.set_staff_message(Default::default()));
        ui.act(Controller::touch_attract);
        pump(&ui, &mut feed, |c| c.screen() == Screen::Language)?;
        shot(lang, &mut n, "language")?;
        ui.update(|c| {
            c.choose_language(lang);
            c.settings.high_contrast = high_contrast;
        });
        shot(lang, &mut n, "home")?;
        // The search: the keyboard with a word typed, its digits pad, then the list found.
        ui.update(|c| {
            c.open_keyboard();
            "caf".chars().for_each(|k| c.key(&k.to_string()));
        });
        shot(lang, &mut n, "search-keyboard")?;
        ui.update(Controller::toggle_digits);
        shot(lang, &mut n, "search-digits")?;
        ui.update(|c| {
            c.toggle_digits();
            c.keyboard_done();
        });
        shot(lang, &mut n, "search-found")?;
        ui.update(Controller::clear_search);
        // Every step of every procedure; the last one is finished, which ends the visit.
        let procedures: Vec<(String, usize)> =
            ui.controller().procedures().iter().map(|p| (p.id.clone(), p.steps.len())).collect();
        // Steps are visited in file order, each reached by its shortest way, so that every
        // branch of a question is drawn too.
        for (index, (id, steps)) in procedures.iter().enumerate() {
            ui.update(|c| c.open_procedure(index));
            for step in 0..*steps {
                ui.update(|c| c.show_step(step));
                // On a checklist the first paper is ticked: both looks are seen.
                if ui.controller().step_kind_on_screen() == Some(StepKind::Checklist) {
                    ui.update(|c| c.tick(0));
                }
                shot(lang, &mut n, &format!("{id}-step{}", step + 1))?;
                if index == 0 && step == 0 {
                    overlays(&ui, &mut |what| shot(lang, &mut n, what))?;
                }
                // A scan step is also drawn after a page was scanned.
                if ui.controller().step_kind_on_screen() == Some(StepKind::Scan) {
                    ui.act(Controller::scan_page);
                    pump(&ui, &mut feed, |c| c.scans().state() != ScanState::Scanning)?;
                    shot(lang, &mut n, &format!("{id}-step{}-scanned", step + 1))?;
                }
                // A print step after pages were scanned asks to confirm their number.
                if ui.controller().step_kind_on_screen() == Some(StepKind::Print) && ui.controller().scans().count() > 0
                {
                    ui.act(Controller::step_action);
                    shot(lang, &mut n, &format!("{id}-step{}-confirm", step + 1))?;
                }
                // The first procedure's summary is printed: with the agent, on its printer;
                // without, the walk's answer is "no paper", to show that screen.
                if index == 0
                    && ui.controller().printing().state() == PrintState::Idle
                    && ui.controller().step_kind_on_screen() == Some(StepKind::Done)
                {
                    ui.act(Controller::print_summary);
                    pump(&ui, &mut feed, |c| {
                        matches!(c.printing().state(), PrintState::Done | PrintState::Problem(_))
                    })?;
                    shot(lang, &mut n, &format!("{id}-printed"))?;
                }
            }
            if index + 1 < procedures.len() {
                while ui.controller().screen() == Screen::Step {
                    ui.update(Controller::back);
                }
            } else {
                // The last step of a file is always "done": finishing ends the visit.
                ui.act(Controller::next_step);
            }
        }
        if procedures.is_empty() {
            // Nothing to walk: leave the way a person would, through "stop".
            ui.update(Controller::ask_stop);
            ui.act(Controller::confirm_stop);
        }
        pump(&ui, &mut feed, |c| c.screen() == Screen::End)?;
        shot(lang, &mut n, "end")?;
        ui.update(Controller::end_done);
    }
    Ok(written)
}

/// Renders the attract screen once to `path` and returns: what a kiosk shows first,
/// measured by the start-up benchmark.
pub fn first_frame(path: &Path, size: (u32, u32), assets: Assets) -> Result<(), String> {
    let window = HeadlessPlatform::install(size.0, size.1)?;
    let app = AppWindow::new().map_err(|e| e.to_string())?;
    let (link, _commands) = Link::detached();
    let ui = KioskUi::new(app, Controller::new(assets.procedures, assets.catalogs), Box::new(SilentSpeaker), link);
    app_show(&ui)?;
    ui.on_link_event(Event::Connected);
    write_png(&render(&window), path)
}

/// The overlays and settings of a step, drawn once per language.
fn overlays(ui: &KioskUi, shot: &mut dyn FnMut(&str) -> Result<(), String>) -> Result<(), String> {
    ui.update(Controller::ask_stop);
    shot("stop-confirm")?;
    ui.update(Controller::cancel_stop);
    ui.act(Controller::call_mediator);
    shot("help-called")?;
    ui.update(Controller::dismiss_help);
    ui.update(|c| c.warn_idle(crate::ui::IDLE_WARNING_SECONDS));
    shot("idle-warning")?;
    ui.update(|c| {
        c.cycle_text_size();
        c.cycle_text_size();
    });
    shot("largest-text")?;
    ui.update(Controller::cycle_text_size);
    ui.update(Controller::open_language_picker);
    shot("language-picker")?;
    let lang_now = ui.controller().language().code;
    ui.update(|c| c.choose_language(lang_now));
    ui.act(Controller::call_mediator);
    ui.update(Controller::open_pin_pad);
    ui.update(|c| "2468".chars().for_each(|d| c.pin_digit(d)));
    shot("pin-pad")?;
    // What the agent answers to the right PIN, without sending one.
    ui.on_link_event(Event::Agent(AgentMessage::MediatorGranted { id: 0 }));
    shot("mediator-panel")?;
    ui.update(Controller::mediator_close);
    let lang = ui.controller().language().code;
    ui.update(|c| c.choose_language(lang));
    Ok(())
}

fn voice_of(code: &str) -> &'static str {
    crate::i18n::language(code).map_or("", |l| l.voice)
}

fn app_show(ui: &KioskUi) -> Result<(), String> {
    ui.window().show().map_err(|e| e.to_string())
}

/// Waits (at most 10 seconds) for the link to reach the agent.
fn wait_connected(ui: &KioskUi, rx: &mpsc::Receiver<Event>) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = rx.recv_timeout(left).map_err(|_| "the agent is unreachable".to_owned())?;
        let connected = event == Event::Connected;
        ui.on_link_event(event);
        if connected {
            return Ok(());
        }
    }
}

/// Feeds agent events to the UI until `done` holds, for at most 10 seconds.
fn pump(ui: &KioskUi, feed: &mut Feed, done: impl Fn(&Controller) -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(&ui.controller()) {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = match feed {
            Feed::Agent(rx) => rx.recv_timeout(left).map_err(|_| "the agent did not answer in time".to_owned())?,
            Feed::Simulated(rx) => match rx.try_recv() {
                Ok(command) => Event::Agent(simulated_reply(command)),
                Err(_) => return Err("the walk is stuck: no command to answer".into()),
            },
        };
        ui.on_link_event(event);
    }
    Ok(())
}

/// A small picture of a page with lines of text, as the agent's preview would be, in the
/// temporary folder.
fn walk_page() -> Option<String> {
    let path = std::env::temp_dir().join("guichet-walk-page.jpg");
    if !path.exists() {
        let page = image::RgbImage::from_fn(226, 320, |x, y| {
            let line = y > 40 && y < 290 && y % 24 < 6 && x > 24 && x < 200;
            if line { image::Rgb([90, 90, 90]) } else { image::Rgb([250, 250, 250]) }
        });
        page.save(&path).ok()?;
    }
    Some(path.to_string_lossy().into_owned())
}

/// What the agent would answer, with a receipt that shows every line of the end screen.
fn simulated_reply(command: Command) -> AgentMessage {
    let session = SessionId("0000000000000000".into());
    match command {
        Command::CallMediator => AgentMessage::Ack { id: 2 },
        Command::Alive { .. } | Command::Wake | Command::Usage(_) => AgentMessage::Ack { id: 9 },
        Command::MediatorUnlock(_) => AgentMessage::MediatorGranted { id: 3 },
        Command::PrintScans { .. } => AgentMessage::PrintQueued { id: 6, job: 1, pages: 1, pages_left: 19 },
        Command::Scan { .. } => {
            // A page to show, drawn once where the walk can write.
            let page =
                ScannedPage { number: 1, file: "scans/page-1.jpg".into(), thumb: walk_page().unwrap_or_default() };
            AgentMessage::Scanned { id: 5, file: page.file.clone(), pages: 1, added: vec![page] }
        }
        // Nothing is drawn or printed without an agent: the walk shows a printer problem.
        Command::PrintSummary { .. } | Command::Print { .. } => AgentMessage::Error {
            id: Some(4),
            code: guichet_protocol::ErrorCode::PrinterProblem,
            message: "media_empty".into(),
            detail: Some("media_empty".into()),
        },
        Command::StartSession => {
            AgentMessage::SessionStarted { id: 1, session, folder: "/run/guichet/session/0000000000000000".into() }
        }
        Command::EndSession(reason) => AgentMessage::SessionWiped {
            session,
            reason,
            receipt: WipeReceipt {
                scans: 3,
                print_jobs: 1,
                imported_files: 0,
                other_files: 0,
                folders: 3,
                bytes: 1_200_000,
                verified: reason != EndReason::Leftover,
            },
        },
    }
}
