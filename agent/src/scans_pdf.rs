//! The session's scanned pages as one PDF, for a photocopy: each JPEG is embedded as it is
//! (no re-encoding, so no loss and little time), scaled to fit an A4 page.

use std::path::{Path, PathBuf};

use image::ImageDecoder;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A4 in PDF points, and the margin a printer cannot print anyway.
const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 18.0;

/// The JPEG pages of `scans`, in the order they were scanned (`page-1.jpg`, `page-2.jpg`…).
pub fn scanned_pages(scans: &Path) -> Vec<PathBuf> {
    let number = |p: &PathBuf| {
        p.file_stem().and_then(|s| s.to_str()).and_then(|s| s.strip_prefix("page-")).and_then(|n| n.parse::<u32>().ok())
    };
    let mut pages: Vec<PathBuf> = std::fs::read_dir(scans)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| number(p).is_some()).collect())
        .unwrap_or_default();
    pages.sort_by_key(|p| number(p));
    pages
}

/// Writes `pages` (JPEG files) into `out` as a PDF of as many A4 pages.
pub fn jpegs_to_pdf(pages: &[PathBuf], out: &Path) -> Result<(), String> {
    if pages.is_empty() {
        return Err("no scanned page".into());
    }
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids: Vec<Object> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let data = std::fs::read(page).map_err(|e| format!("page {}: {e}", i + 1))?;
        let decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&data))
            .map_err(|e| format!("page {} is not a readable JPEG: {e}", i + 1))?;
        let (w, h) = decoder.dimensions();
        let colour = if decoder.color_type().channel_count() == 1 { "DeviceGray" } else { "DeviceRGB" };
        let mut picture = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
                "ColorSpace" => colour, "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            data,
        );
        picture.allows_compression = false;
        let picture_id = doc.add_object(picture);
        // As large as the page allows, centred, keeping the proportions.
        let scale = ((A4.0 - 2.0 * MARGIN) / w as f32).min((A4.1 - 2.0 * MARGIN) / h as f32);
        let (dw, dh) = (w as f32 * scale, h as f32 * scale);
        let (x, y) = ((A4.0 - dw) / 2.0, (A4.1 - dh) / 2.0);
        let draw = Content {
            operations: vec![
                Operation::new("q", vec![]),
                Operation::new("cm", vec![dw.into(), 0.into(), 0.into(), dh.into(), x.into(), y.into()]),
                Operation::new("Do", vec!["P".into()]),
                Operation::new("Q", vec![]),
            ],
        };
        let content = draw.encode().map_err(|e| e.to_string())?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "XObject" => dictionary! { "P" => picture_id } },
            "MediaBox" => vec![0.into(), 0.into(), (A4.0 as i64).into(), (A4.1 as i64).into()],
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => count, "Kids" => kids }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save(out).map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(path: &Path, w: u32, h: u32) {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([120, 130, 140]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&img).unwrap();
        std::fs::write(path, out).unwrap();
    }

    #[test]
    fn pages_are_kept_in_scan_order_and_embedded_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        for n in [2, 10, 1] {
            jpeg(&dir.path().join(format!("page-{n}.jpg")), 200, 300);
        }
        std::fs::write(dir.path().join("notes.txt"), "not a page").unwrap();
        let pages = scanned_pages(dir.path());
        let names: Vec<_> = pages.iter().map(|p| p.file_name().unwrap().to_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["page-1.jpg", "page-2.jpg", "page-10.jpg"], "10 comes after 2");
        let out = dir.path().join("copies.pdf");
        jpegs_to_pdf(&pages, &out).unwrap();
        let doc = Document::load(&out).unwrap();
        assert_eq!(doc.get_pages().len(), 3);
        let first = std::fs::read(&pages[0]).unwrap();
        let pdf = std::fs::read(&out).unwrap();
        assert!(pdf.windows(first.len()).any(|w| w == first.as_slice()), "the JPEG bytes are in the PDF as they were");
        assert_eq!(jpegs_to_pdf(&[], &out).unwrap_err(), "no scanned page");
    }
}
