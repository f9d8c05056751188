//! Documents in a format the printer does not take are converted before they are sent:
//! a photo or a summary page (JPEG, PNG) becomes a PDF for a printer that only takes PDF,
//! and a PNG becomes a JPEG for one that takes JPEG and not PNG. The converted copy
//! lives in the agent's memory only, and goes with the job.

use crate::scans_pdf::jpegs_to_pdf;

const PDF: &str = "application/pdf";
const JPEG: &str = "image/jpeg";
const PNG: &str = "image/png";

/// What to send for a document of `format` to a printer taking `supported`: `None` when
/// it goes as it is, else the converted bytes and their format.
pub fn for_printer(
    document: &[u8],
    format: &'static str,
    supported: &[String],
) -> Result<Option<(Vec<u8>, &'static str)>, String> {
    let takes = |f: &str| supported.iter().any(|s| s == f);
    // A printer that lists nothing, or only "anything" (`application/octet-stream`, which
    // ippeveprinter and CUPS add to the formats they name), is trusted with what it is
    // given.
    if supported.iter().all(|s| s == "application/octet-stream") || takes(format) {
        return Ok(None);
    }
    let is_image = format == JPEG || format == PNG;
    if is_image && takes(PDF) {
        let jpeg = if format == PNG { png_to_jpeg(document)? } else { document.to_vec() };
        let (pdf, _sheets) = jpegs_to_pdf(&[jpeg])?;
        return Ok(Some((pdf, PDF)));
    }
    if format == PNG && takes(JPEG) {
        return Ok(Some((png_to_jpeg(document)?, JPEG)));
    }
    Err(format!("the printer takes none of {format}, {PDF} or {JPEG}"))
}

/// Re-encodes a PNG as a JPEG (white where it was transparent).
fn png_to_jpeg(png: &[u8]) -> Result<Vec<u8>, String> {
    let picture = open_picture(png)?;
    let rgba = picture.to_rgba8();
    let flat = image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((c as u16 * a as u16 + 255 * (255 - a as u16)) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&flat)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// A picture (JPEG or PNG, known by its bytes), decoded.
pub fn open_picture(bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let reader =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    reader.decode().map_err(|e| format!("not a readable picture: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pictures_become_what_the_printer_takes() {
        let mut png = Vec::new();
        image::RgbaImage::from_pixel(40, 60, image::Rgba([10, 20, 30, 0]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(for_printer(&png, PNG, &formats(&[PNG, PDF])), Ok(None));
        assert_eq!(for_printer(&png, PNG, &[]), Ok(None), "a printer that lists nothing");
        let only_octet = formats(&["application/octet-stream"]);
        assert_eq!(for_printer(&png, PNG, &only_octet), Ok(None), "a printer that takes anything");
        let pdf_only = formats(&["application/octet-stream", PDF]);
        let (pdf, format) = for_printer(&png, PNG, &pdf_only).unwrap().unwrap();
        assert_eq!(format, PDF);
        assert_eq!(lopdf::Document::load_mem(&pdf).unwrap().get_pages().len(), 1);
        let (jpeg, format) = for_printer(&png, PNG, &formats(&[JPEG, "image/pwg-raster"])).unwrap().unwrap();
        assert_eq!(format, JPEG);
        let white = open_picture(&jpeg).unwrap().to_rgb8().get_pixel(5, 5).0;
        assert!(white.iter().all(|&c| c > 240), "transparent is white on paper: {white:?}");
        let refused = for_printer(&pdf, PDF, &formats(&["image/pwg-raster"])).unwrap_err();
        assert!(refused.contains("takes none of application/pdf"), "{refused}");
    }
}
