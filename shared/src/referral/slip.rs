//! What the printed referral slip (giấy chuyển tuyến) carries to prove itself: a short code a
//! person can type, and a QR code holding the referral id and the server's signature over it.
//!
//! The server signs [`signed_text`] with its own key (HMAC-SHA256) when it accepts the referral;
//! the slip's QR code is the link [`link`], which opens the referral in the app and lets the
//! server confirm the slip is genuine. A slip printed before the referral reached the server has
//! no signature yet and says so.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The server's answer to "is this slip genuine?" (`GET /api/referrals/{id}/slip?s=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipCheck {
    /// The signature is the one this server gave the referral.
    pub genuine: bool,
    /// The user's facility is a party to the referral and can open it.
    pub can_open: bool,
    pub short_code: String,
}

/// Crockford's base32 alphabet: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Eight characters from the random tail of the referral's id, as `XXXX-XXXX`. Computed the same
/// way everywhere, offline included.
pub fn short_code(id: Uuid) -> String {
    let bytes = id.as_bytes();
    let tail = bytes[11..16]
        .iter()
        .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
    let mut code = String::with_capacity(9);
    for i in (0..8).rev() {
        code.push(ALPHABET[((tail >> (i * 5)) & 31) as usize] as char);
        if i == 4 {
            code.push('-');
        }
    }
    code
}

/// A typed code in the form people write it: case, spaces, dashes and look-alike letters
/// (O for 0, I and L for 1) do not matter.
pub fn normalise_code(typed: &str) -> String {
    let letters: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if letters.len() == 8 {
        format!("{}-{}", &letters[..4], &letters[4..])
    } else {
        letters
    }
}

/// The text the server signs for a referral.
pub fn signed_text(id: Uuid) -> String {
    format!("tam-an/referral-slip/v1/{id}")
}

/// The QR code's content: a link into the app at `origin`.
pub fn link(origin: &str, id: Uuid, signature: &str) -> String {
    format!("{}/r/{id}?s={signature}", origin.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_stable_and_typed_codes_match_them() {
        let id = Uuid::parse_str("0192f0a4-7b2c-7d3e-8f41-5a6b7c8d9e0f").unwrap();
        let code = short_code(id);
        assert_eq!(code.len(), 9);
        assert_eq!(code, short_code(id));
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), code);
        let other = Uuid::parse_str("0192f0a4-7b2c-7d3e-8f41-5a6b7c8d9e1f").unwrap();
        assert_ne!(short_code(other), code);
        assert!(code
            .chars()
            .all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        assert_eq!(normalise_code("oiL1-abcd"), "0111-ABCD");
    }

    #[test]
    fn the_link_carries_id_and_signature() {
        let id = Uuid::nil();
        assert_eq!(
            link("https://tam-an.example/", id, "abc"),
            format!("https://tam-an.example/r/{id}?s=abc")
        );
    }
}
