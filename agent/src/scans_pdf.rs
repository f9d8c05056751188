//! The session's scanned pages as one PDF, for a photocopy: each JPEG is embedded as it is
//! (no re-encoding, so no loss and little time) at its real size, shrunk only when it is
//! larger than what the sheet can print, and as many pages as fit go on one A4 sheet top to
//! bottom: the two sides of an identity card come out on one sheet, at the card's size,
//! as a copier makes them.

use image::ImageDecoder;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A4 in PDF points, the margin a printer cannot print anyway, and the space between two
/// pages on one sheet.
const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 18.0;
const GAP: f32 = 36.0;
/// When a JPEG does not say its resolution: what the scanner is asked for documents.
const DEFAULT_DPI: f32 = 150.0;

/// One page read for the layout: its bytes, pixels, colours and size on paper (points).
struct Picture {
    data: Vec<u8>,
    pixels: (u32, u32),
    gray: bool,
    size: (f32, f32),
}

fn read_picture(data: &[u8], n: usize) -> Result<Picture, String> {
    let decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(data))
        .map_err(|e| format!("page {n} is not a readable JPEG: {e}"))?;
    let (w, h) = decoder.dimensions();
    let gray = decoder.color_type().channel_count() == 1;
    let dpi = jfif_dpi(data).unwrap_or(DEFAULT_DPI);
    let real = (w as f32 / dpi * 72.0, h as f32 / dpi * 72.0);
    // Shrunk to the printable area when larger, keeping the proportions.
    let fit = ((A4.0 - 2.0 * MARGIN) / real.0).min((A4.1 - 2.0 * MARGIN) / real.1).min(1.0);
    Ok(Picture { data: data.to_vec(), pixels: (w, h), gray, size: (real.0 * fit, real.1 * fit) })
}

/// The resolution a JPEG's JFIF header states (scanimage writes it), in dots per inch.
fn jfif_dpi(data: &[u8]) -> Option<f32> {
    // FF D8, then FF E0 <length:2> "JFIF\0" <version:2> <units:1> <x density:2>.
    let header = data.get(..16)?;
    if header[2..4] != [0xFF, 0xE0] || &header[6..11] != b"JFIF\0" {
        return None;
    }
    let density = u16::from_be_bytes([header[14], header[15]]) as f32;
    match header[13] {
        1 if density > 0.0 => Some(density),
        2 if density > 0.0 => Some(density * 2.54),
        _ => None,
    }
}

/// Groups consecutive pages onto sheets: a page starts a new sheet when it no longer fits
/// under the ones already there.
fn sheets(pictures: &[Picture]) -> Vec<std::ops::Range<usize>> {
    let room = A4.1 - 2.0 * MARGIN;
    let mut sheets: Vec<std::ops::Range<usize>> = Vec::new();
    let mut used = 0.0;
    for (i, p) in pictures.iter().enumerate() {
        match sheets.last_mut() {
            Some(sheet) if used + GAP + p.size.1 <= room => {
                sheet.end = i + 1;
                used += GAP + p.size.1;
            }
            _ => {
                sheets.push(i..i + 1);
                used = p.size.1;
            }
        }
    }
    sheets
}

/// `pages` (JPEGs, in order) as a PDF of A4 sheets, and the sheets' count.
pub fn jpegs_to_pdf(pages: &[Vec<u8>]) -> Result<(Vec<u8>, u32), String> {
    if pages.is_empty() {
        return Err("no scanned page".into());
    }
    let pictures: Vec<Picture> =
        pages.iter().enumerate().map(|(i, p)| read_picture(p, i + 1)).collect::<Result<_, _>>()?;
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids: Vec<Object> = Vec::new();
    for sheet in sheets(&pictures) {
        let on_sheet = &pictures[sheet];
        let mut operations = Vec::new();
        let mut resources = lopdf::Dictionary::new();
        let height: f32 = on_sheet.iter().map(|p| p.size.1).sum::<f32>() + GAP * (on_sheet.len() - 1) as f32;
        // A sheet of one page has it centred; several are stacked from the top, as on
        // the glass.
        let mut top = if on_sheet.len() == 1 { (A4.1 + height) / 2.0 } else { A4.1 - MARGIN };
        for (k, p) in on_sheet.iter().enumerate() {
            let mut picture = Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Image",
                    "Width" => p.pixels.0 as i64, "Height" => p.pixels.1 as i64,
                    "ColorSpace" => if p.gray { "DeviceGray" } else { "DeviceRGB" },
                    "BitsPerComponent" => 8, "Filter" => "DCTDecode",
                },
                p.data.clone(),
            );
            picture.allows_compression = false;
            let name = format!("P{k}");
            resources.set(name.as_bytes(), doc.add_object(picture));
            let (w, h) = p.size;
            let (x, y) = ((A4.0 - w) / 2.0, top - h);
            top -= h + GAP;
            operations.extend([
                Operation::new("q", vec![]),
                Operation::new("cm", vec![w.into(), 0.into(), 0.into(), h.into(), x.into(), y.into()]),
                Operation::new("Do", vec![Object::Name(name.into_bytes())]),
                Operation::new("Q", vec![]),
            ]);
        }
        let content = Content { operations }.encode().map_err(|e| e.to_string())?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "XObject" => resources },
            "MediaBox" => vec![0.into(), 0.into(), (A4.0 as i64).into(), (A4.1 as i64).into()],
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => count, "Kids" => kids }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).map_err(|e| format!("cannot write the PDF: {e}"))?;
    Ok((pdf, count as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32, dpi: u16) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([120, 130, 140]));
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut out);
        encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi));
        encoder.encode_image(&img).unwrap();
        out
    }

    #[test]
    fn pages_are_embedded_unchanged_a_sheet_each() {
        // A4 at 50 dpi: a sheet each.
        let pages: Vec<Vec<u8>> = (0..3).map(|_| jpeg(413, 585, 50)).collect();
        let (pdf, sheets) = jpegs_to_pdf(&pages).unwrap();
        assert_eq!(sheets, 3);
        assert_eq!(Document::load_mem(&pdf).unwrap().get_pages().len(), 3);
        assert!(
            pdf.windows(pages[0].len()).any(|w| w == pages[0].as_slice()),
            "the JPEG bytes are in the PDF as they were"
        );
        assert_eq!(jpegs_to_pdf(&[]).unwrap_err(), "no scanned page");
    }

    #[test]
    fn both_sides_of_a_card_share_a_sheet_at_their_real_size() {
        // 90 × 60 mm at 300 dpi, twice, then an A4 page at 150 dpi.
        let pages = [jpeg(1063, 709, 300), jpeg(1063, 709, 300), jpeg(1240, 1754, 150)];
        let pictures: Vec<Picture> = pages.iter().enumerate().map(|(i, p)| read_picture(p, i + 1).unwrap()).collect();
        let mm = |pt: f32| pt / 72.0 * 25.4;
        assert!((mm(pictures[0].size.0) - 90.0).abs() < 0.2, "{} mm wide", mm(pictures[0].size.0));
        assert!(pictures[2].size.1 <= A4.1 - 2.0 * MARGIN, "an A4 scan is shrunk into the printable area");
        assert_eq!(sheets(&pictures), [0..2, 2..3]);
        let (pdf, count) = jpegs_to_pdf(&pages).unwrap();
        assert_eq!(count, 2);
        assert_eq!(Document::load_mem(&pdf).unwrap().get_pages().len(), 2);
        assert_eq!(jfif_dpi(b"not a jpeg at all"), None);
    }
}
