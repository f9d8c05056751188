//! What a SANE device offers, read from `scanimage -d DEVICE -A`, and the arguments that
//! ask it for a preset. Backends name things differently (`Color` or `color`, `ADF` or
//! `Automatic Document Feeder`, resolutions as a range or a list), so they are read, not
//! assumed.

use guichet_protocol::ScanPreset;

/// The options of one device that the presets use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub sources: Vec<String>,
    pub modes: Vec<String>,
    pub resolutions: Resolutions,
    /// Whether the scan area can be set (`-l -t -x -y`).
    pub area: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Resolutions {
    /// Not listed: the device's default is used.
    #[default]
    Unknown,
    Range(u32, u32),
    List(Vec<u32>),
}

/// An identity card is 85.6 × 54 mm; the area leaves room for a card laid a little askew.
const CARD_AREA_MM: (u32, u32) = (90, 60);

impl Options {
    /// The document feeder, when there is one (simplex rather than duplex).
    pub fn feeder(&self) -> Option<&str> {
        let is_feeder = |s: &&String| {
            let s = s.to_lowercase();
            s.contains("adf") || s.contains("feeder")
        };
        let simplex = self.sources.iter().filter(is_feeder).find(|s| !s.to_lowercase().contains("duplex"));
        simplex.or_else(|| self.sources.iter().find(is_feeder)).map(String::as_str)
    }

    /// The glass, when sources are named; `None` leaves the device's default.
    pub fn flatbed(&self) -> Option<&str> {
        let glass = ["flatbed", "platen", "glass"];
        self.sources.iter().find(|s| glass.iter().any(|g| s.to_lowercase().contains(g))).map(String::as_str)
    }

    /// The supported resolution nearest to `dpi`.
    pub fn resolution(&self, dpi: u32) -> Option<u32> {
        match &self.resolutions {
            Resolutions::Unknown => None,
            Resolutions::Range(low, high) => Some(dpi.clamp(*low, *high)),
            Resolutions::List(list) => list.iter().copied().min_by_key(|r| r.abs_diff(dpi)),
        }
    }

    /// `scanimage` arguments for `preset` from `source`.
    pub fn arguments(&self, preset: ScanPreset, source: Option<&str>) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(source) = source {
            args.extend(["--source".to_owned(), source.to_owned()]);
        }
        // Colour for all: forms have coloured logos and stamps, and offices ask for colour
        // copies of identity documents.
        if let Some(mode) = self.modes.iter().find(|m| m.to_lowercase().starts_with("colo")) {
            args.extend(["--mode".to_owned(), mode.clone()]);
        }
        let dpi = match preset {
            // Enough for any form or payslip, small enough to send.
            ScanPreset::Document => 150,
            ScanPreset::Photo | ScanPreset::IdCard => 300,
        };
        if let Some(dpi) = self.resolution(dpi) {
            args.extend(["--resolution".to_owned(), dpi.to_string()]);
        }
        if preset == ScanPreset::IdCard && self.area {
            let (w, h) = CARD_AREA_MM;
            args.extend(["-l", "0", "-t", "0", "-x", &w.to_string(), "-y", &h.to_string()].map(String::from));
        }
        args
    }
}

/// Reads the option lines of `scanimage -A`: `    --mode Gray|Color [Gray]`.
pub fn read_options(listing: &str) -> Options {
    let mut options = Options::default();
    for line in listing.lines() {
        let line = line.trim();
        let Some((name, rest)) = line.split_once(' ') else { continue };
        // The values end where the default (` [..]`) or a note (` (..)`) starts.
        let values = rest.split(" [").next().unwrap_or("").split(" (").next().unwrap_or("").trim();
        match name {
            "--source" => options.sources = values.split('|').map(str::to_owned).collect(),
            "--mode" => options.modes = values.split('|').map(str::to_owned).collect(),
            "--resolution" => options.resolutions = resolutions(values),
            "-x" => options.area = true,
            _ => {}
        }
    }
    options
}

/// `1..1200dpi` or `75|150|300dpi`.
fn resolutions(values: &str) -> Resolutions {
    let values = values.trim_end_matches("dpi");
    let number = |s: &str| s.trim().split('.').next().and_then(|n| n.parse::<u32>().ok());
    if let Some((low, high)) = values.split_once("..") {
        return match (number(low), number(high)) {
            (Some(low), Some(high)) if low <= high => Resolutions::Range(low.max(1), high),
            _ => Resolutions::Unknown,
        };
    }
    let list: Vec<u32> = values.split('|').filter_map(number).collect();
    if list.is_empty() { Resolutions::Unknown } else { Resolutions::List(list) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From SANE's `test` backend.
    const TEST_BACKEND: &str = "
  Scan Mode:
    --mode Gray|Color [Gray]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 1..1200dpi (in steps of 1) [0.000762939]
        Sets the resolution of the scanned image.
    --source Flatbed|Automatic Document Feeder [Flatbed]
        If Automatic Document Feeder is selected, the feeder will be 'empty'
  Geometry:
    -l 0..200mm (in steps of 1) [0]
    -x 0..200mm (in steps of 1) [80]
";

    /// The shape `sane-airscan` lists for an eSCL scanner.
    const AIRSCAN: &str = "
    --resolution 75|100|150|200|300|600dpi [300]
    --mode Color|Gray [Color]
    --source Flatbed|ADF|ADF Duplex [Flatbed]
    -x 0..215.9mm [215.9]
";

    #[test]
    fn presets_ask_each_backend_in_its_own_words() {
        let test = read_options(TEST_BACKEND);
        assert_eq!(test.feeder(), Some("Automatic Document Feeder"));
        assert_eq!(test.flatbed(), Some("Flatbed"));
        assert_eq!(
            test.arguments(ScanPreset::IdCard, test.flatbed()),
            [
                "--source",
                "Flatbed",
                "--mode",
                "Color",
                "--resolution",
                "300",
                "-l",
                "0",
                "-t",
                "0",
                "-x",
                "90",
                "-y",
                "60"
            ]
        );
        let airscan = read_options(AIRSCAN);
        assert_eq!(airscan.feeder(), Some("ADF"), "simplex rather than duplex");
        assert_eq!(
            airscan.arguments(ScanPreset::Document, airscan.feeder()),
            ["--source", "ADF", "--mode", "Color", "--resolution", "150"]
        );
        assert_eq!(airscan.resolution(250), Some(200), "the nearest listed");
        let bare = read_options("    --resolution 50..100dpi [75]\n");
        assert_eq!((bare.feeder(), bare.flatbed()), (None, None));
        assert_eq!(bare.arguments(ScanPreset::Photo, None), ["--resolution", "100"], "clamped to the range");
        assert_eq!(read_options("").arguments(ScanPreset::Document, None), Vec::<String>::new());
    }
}
