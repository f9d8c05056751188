//! A private X display (Xvfb) for tests that run the kiosk as it runs on a desktop, in a
//! real window, and touch it with `xdotool`.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on the first free display (it says which on the pipe `-displayfd`
    /// names), at the kiosk's panel size. None, with the reason, when Xvfb is missing.
    pub fn start() -> Result<Xvfb, String> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb (scripts/setup.sh installs it): {e}"))?;
        let stdout = child.stdout.take().expect("stdout");
        // Xvfb writes the number once it accepts connections; a line, or EOF if it died.
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let n: u32 = line.trim().parse().map_err(|_| format!("Xvfb did not start: {line:?}"))?;
        Ok(Xvfb { child, display: format!(":{n}") })
    }

    /// A press and release at (x, y), as a finger would.
    pub fn tap(&self, x: u32, y: u32) -> Result<(), String> {
        let status = Command::new("xdotool")
            .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
            .env("DISPLAY", &self.display)
            .status()
            .map_err(|e| format!("cannot run xdotool (scripts/setup.sh installs it): {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("xdotool failed: {status}")) }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
