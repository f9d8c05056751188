//! `kiosk`: the touchscreen UI. With `--screenshot DIR` it renders every screen to PNG
//! with no display at all; otherwise it opens its window (DRM/KMS on the device, a
//! desktop window where there is one) and talks to the agent.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use guichet_kiosk::agent_link::Link;
use guichet_kiosk::controller::Controller;
use guichet_kiosk::speech::{DispatcherSpeaker, SilentSpeaker, Speaker};
use guichet_kiosk::ui::KioskUi;
use guichet_kiosk::{AppWindow, Assets, default_content_dir, render, walk};
use slint::ComponentHandle;

#[derive(Parser)]
#[command(version, about = "Guichet's touchscreen UI")]
struct Args {
    /// The agent's socket.
    #[arg(long, default_value = "/run/guichet/agent.sock")]
    socket: PathBuf,
    /// Content folder (procedures/ and po/).
    #[arg(long)]
    content: Option<PathBuf>,
    /// Render every screen in every language to PNG files in DIR, with no display.
    #[arg(long, value_name = "DIR")]
    screenshot: Option<PathBuf>,
    /// Render the first screen to this PNG file and exit (start-up benchmark).
    #[arg(long, value_name = "PNG")]
    first_frame: Option<PathBuf>,
    /// With --screenshot: draw every screen in the high-contrast theme.
    #[arg(long)]
    high_contrast: bool,
    /// With --screenshot: use the agent at --socket instead of simulated answers.
    #[arg(long)]
    with_agent: bool,
    /// Window or screenshot size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x800", value_parser = parse_size)]
    size: (u32, u32),
    /// End and wipe a session after this many seconds with no touch.
    #[arg(long, default_value_t = 180, value_name = "SECONDS")]
    idle_timeout: u64,
    /// Speech output.
    #[arg(long, value_enum, default_value_t = SpeechChoice::On)]
    speech: SpeechChoice,
    /// Draw the printed summary read as JSON on stdin into this JPEG file, and exit (the
    /// kiosk runs itself this way to print a summary).
    #[arg(long, value_name = "JPEG")]
    render_summary: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SpeechChoice {
    /// Through speech-dispatcher and espeak-ng.
    On,
    Off,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once('x').ok_or("expected WIDTHxHEIGHT, such as 1280x800")?;
    let w: u32 = w.parse().map_err(|_| "bad width")?;
    let h: u32 = h.parse().map_err(|_| "bad height")?;
    if !(320..=7680).contains(&w) || !(240..=4320).contains(&h) {
        return Err("size out of range".into());
    }
    Ok((w, h))
}

thread_local! {
    // The UI lives on the UI thread only; the link's events reach it through here.
    static KIOSK: RefCell<Option<Rc<KioskUi>>> = const { RefCell::new(None) };
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        // journald stores the codes as they are: colour only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    if let Some(out) = &args.render_summary {
        return render::summary::render_from_stdin(out).map_err(anyhow::Error::from);
    }
    let content = args.content.clone().unwrap_or_else(default_content_dir);
    let assets = Assets::load(&content);
    if assets.procedures.is_empty() {
        tracing::error!(folder = %content.display(), "no procedure could be loaded");
    }

    if let Some(png) = &args.first_frame {
        return walk::first_frame(png, args.size, assets).map_err(anyhow::Error::msg);
    }
    if let Some(dir) = &args.screenshot {
        let socket = args.with_agent.then(|| args.socket.clone());
        let files =
            walk::screenshot_walk(dir, args.size, assets, socket, args.high_contrast).map_err(anyhow::Error::msg)?;
        println!("{} screens written to {}", files.len(), dir.display());
        return Ok(());
    }

    if std::env::var_os("SLINT_SCALE_FACTOR").is_none() {
        // Read by Slint's backends when the window is created; a panel's size is its
        // scale. SAFETY: still single-threaded here, before any thread is started.
        unsafe {
            std::env::set_var("SLINT_SCALE_FACTOR", render::scale_for(args.size.0, args.size.1).to_string());
        }
    }
    let window = AppWindow::new().context("cannot create the window (no display and no DRM device?)")?;
    window.window().set_size(slint::PhysicalSize::new(args.size.0, args.size.1));
    let weak = window.as_weak();
    let link = Link::start(args.socket.clone(), move |event| {
        let _ = weak.upgrade_in_event_loop(move |_| {
            KIOSK.with(|k| {
                if let Some(ui) = k.borrow().as_ref() {
                    ui.on_link_event(event);
                }
            });
        });
    });
    let speaker: Box<dyn Speaker> = match args.speech {
        SpeechChoice::On => Box::new(DispatcherSpeaker::start(None)),
        SpeechChoice::Off => Box::new(SilentSpeaker),
    };
    let controller = Controller::new(assets.procedures, assets.catalogs);
    let ui = KioskUi::new(window, controller, speaker, link);
    ui.set_idle_timeout(std::time::Duration::from_secs(args.idle_timeout.max(10)));
    ui.start_heartbeat();
    KIOSK.with(|k| *k.borrow_mut() = Some(ui.clone()));
    let result = ui.window().run();
    KIOSK.with(|k| k.borrow_mut().take());
    if let Err(e) = result {
        bail!("the UI stopped: {e}");
    }
    Ok(())
}
