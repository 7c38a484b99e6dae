//! Request URIs as QR codes, rendered to PNG (`GET /v1/requests/{id}/qr.png`).

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module.
const SCALE: usize = 6;
/// The quiet zone around the code, in modules (the standard asks for 4).
const QUIET: usize = 4;

/// A grayscale PNG of `text` as a QR code (error correction level M).
pub(crate) fn png(text: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("encoding the QR code: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != Color::Dark {
            continue;
        }
        let (mx, my) = (i % width + QUIET, i / width + QUIET);
        for dy in 0..SCALE {
            let row = (my * SCALE + dy) * side;
            pixels[row + mx * SCALE..row + (mx + 1) * SCALE].fill(0);
        }
    }
    let side32 = u32::try_from(side).map_err(|_| "the QR code is too large".to_string())?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side32, side32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| format!("writing the PNG: {e}"))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| format!("writing the PNG: {e}"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_uri_renders_to_a_png() {
        let png = super::png("zkcred://request?url=http%3A%2F%2F127.0.0.1%3A8080").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
