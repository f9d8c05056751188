//! QR codes of official addresses, so a person can also finish a procedure at home with
//! their phone. Drawn as plain pixels: black modules on white, with the quiet zone the
//! standard asks for, at a whole number of pixels per module so phones read it easily.

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// A square image of `url`'s QR code, about `size` pixels wide; `None` if the address
/// is too long for a QR code (never the case for an official address).
pub fn image(url: &str, size: u32) -> Option<Image> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let modules = code.width() as u32;
    let quiet = 4;
    let scale = (size / (modules + 2 * quiet)).max(1);
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let colors = code.to_colors();
    for (i, px) in pixels.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = (i as u32 % side / scale, i as u32 / side / scale);
        let dark = x >= quiet
            && y >= quiet
            && x < quiet + modules
            && y < quiet + modules
            && colors[((y - quiet) * modules + (x - quiet)) as usize] == qrcode::Color::Dark;
        let v = if dark { 0 } else { 255 };
        *px = Rgb8Pixel { r: v, g: v, b: v };
    }
    Some(Image::from_rgb8(pixels))
}

#[cfg(test)]
mod tests {
    #[test]
    fn official_addresses_fit_and_are_square() {
        let img = super::image("https://assure.ameli.fr", 220).unwrap();
        let size = img.size();
        assert_eq!(size.width, size.height);
        assert!(size.width <= 220 && size.width >= 150, "{size:?}");
    }
}
