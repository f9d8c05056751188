//! The pictures on screen that are not texts: the QR code of the official address, and
//! the scanned pages small. Each is made once and kept until what it shows changes.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use slint::{ComponentHandle, ModelRc, VecModel};

use crate::{AppWindow, PageThumb, View};

#[derive(Default)]
pub(super) struct Pictures {
    /// The address whose QR code is on screen, and the code.
    qr: RefCell<(String, slint::Image)>,
    /// The scanned pages shown, each loaded once (again when a redo rewrote it).
    pages: RefCell<Vec<ShownPage>>,
}

/// A scanned page on screen: which file, when it was written, and its picture.
struct ShownPage {
    path: PathBuf,
    written: Option<SystemTime>,
    label: String,
    picture: slint::Image,
}

impl Pictures {
    pub(super) fn push_qr(&self, window: &AppWindow, url: &str) {
        let mut qr = self.qr.borrow_mut();
        if qr.0 != url {
            let image = if url.is_empty() { None } else { crate::qr::image(url, 220) };
            *qr = (url.to_owned(), image.unwrap_or_default());
            window.global::<View>().set_qr(qr.1.clone());
        }
    }

    /// The pages' small pictures. Read from the files here rather than through Slint's
    /// image cache, which would keep showing a page's old picture after a redo.
    pub(super) fn push_pages(&self, window: &AppWindow, pages: &[(PathBuf, String)]) {
        let mut shown = self.pages.borrow_mut();
        let now: Vec<ShownPage> = pages
            .iter()
            .map(|(path, label)| {
                let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
                let known = shown.iter().find(|s| &s.path == path && s.written == written);
                // A page that cannot be read shows empty; its label still says it is there.
                let picture =
                    known.map(|s| s.picture.clone()).unwrap_or_else(|| load_picture(path).unwrap_or_default());
                ShownPage { path: path.clone(), written, label: label.clone(), picture }
            })
            .collect();
        let same = now.len() == shown.len()
            && (now.iter().zip(shown.iter()))
                .all(|(a, b)| a.path == b.path && a.written == b.written && a.label == b.label);
        if !same {
            let thumbs: Vec<PageThumb> = (now.iter())
                .map(|p| PageThumb { picture: p.picture.clone(), label: p.label.as_str().into() })
                .collect();
            window.global::<View>().set_pages(ModelRc::new(VecModel::from(thumbs)));
            *shown = now;
        }
    }
}

fn load_picture(path: &Path) -> Option<slint::Image> {
    let picture = image::open(path).ok()?.to_rgba8();
    let buffer = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(
        picture.as_raw(),
        picture.width(),
        picture.height(),
    );
    Some(slint::Image::from_rgba8(buffer))
}
