//! Drawing with no display: a Slint platform that hands out a software-rendered window,
//! drawing it to pixels and PNG files (the screenshot walk, the benchmarks), and the
//! printed summary sheet (`summary`). Used from the UI thread and from `kiosk` run as a
//! child; the agent link never draws.

pub mod summary;

use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel, SharedPixelBuffer};

/// A platform with one window and no event loop: frames are drawn on demand.
pub struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
    start: Instant,
}

impl HeadlessPlatform {
    /// Installs the platform (once per process) and returns its window.
    pub fn install(width: u32, height: u32) -> Result<Rc<MinimalSoftwareWindow>, String> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        window.dispatch_event(slint::platform::WindowEvent::ScaleFactorChanged {
            scale_factor: scale_for(width, height),
        });
        window.set_size(PhysicalSize::new(width, height));
        slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone(), start: Instant::now() }))
            .map_err(|e| format!("cannot install the headless platform: {e}"))?;
        Ok(window)
    }
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }

    fn duration_since_start(&self) -> Duration {
        self.start.elapsed()
    }
}

/// The screens are designed for a 1280×800 panel; a larger one (1920×1080) shows the
/// same layout scaled up rather than smaller text lost in a wide screen.
pub fn scale_for(width: u32, height: u32) -> f32 {
    (width as f32 / 1280.0).min(height as f32 / 800.0).max(1.0)
}

/// Draws the window now and returns its pixels.
pub fn render(window: &MinimalSoftwareWindow) -> SharedPixelBuffer<Rgb8Pixel> {
    slint::platform::update_timers_and_animations();
    let size = window.size();
    let mut pixels = SharedPixelBuffer::<Rgb8Pixel>::new(size.width, size.height);
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(pixels.make_mut_slice(), size.width as usize);
    });
    pixels
}

pub fn write_png(pixels: &SharedPixelBuffer<Rgb8Pixel>, path: &Path) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), pixels.width(), pixels.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| format!("{}: {e}", path.display()))?;
    writer.write_image_data(pixels.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}
