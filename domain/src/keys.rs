//! The deployment's secret key and what is derived from it: keyed signatures (HMAC-SHA256) for
//! the site's CSRF tokens and the secrets printed on comment receipts. Each use names its
//! purpose, so a signature made for one can never stand for another.
//!
//! The key comes from `RABFANG_SECRET_KEY`; unset, a random key is generated on first start and
//! kept in the data folder as `secret_key` (mode 0600), so that it survives restarts. There is
//! never a default key. Several `serve` processes must share one key (set the variable).

use std::{path::Path, sync::Arc};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::settings::Settings;

#[derive(Clone)]
pub struct SecretKey(Arc<Vec<u8>>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(****)")
    }
}

impl SecretKey {
    /// The key from the settings, or the one kept in the data folder (made on first use).
    pub fn load(settings: &Settings) -> anyhow::Result<SecretKey> {
        match &settings.secret_key {
            Some(key) => Ok(SecretKey(Arc::new(key.expose().as_bytes().to_vec()))),
            None => Self::kept_in(&settings.data_dir),
        }
    }

    fn kept_in(dir: &Path) -> anyhow::Result<SecretKey> {
        use std::io::Write as _;
        let path = dir.join("secret_key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let text = text.trim();
            anyhow::ensure!(
                text.len() >= 32,
                "{} is shorter than 32 characters; delete it to make a new key",
                path.display()
            );
            return Ok(SecretKey(Arc::new(text.as_bytes().to_vec())));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let text = hex::encode(bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                file.sync_all()?;
                Ok(SecretKey(Arc::new(text.into_bytes())))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::kept_in(dir),
            Err(e) => Err(anyhow::anyhow!("creating {}: {e}", path.display())),
        }
    }

    /// A key for tests and tools that need no persistence.
    pub fn random() -> SecretKey {
        let mut bytes = vec![0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(Arc::new(bytes))
    }

    fn mac(&self, purpose: &str, message: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac
    }

    /// The signature of `message` for `purpose`, URL-safe base64 (43 characters).
    pub fn sign(&self, purpose: &str, message: &[u8]) -> String {
        let tag = self.mac(purpose, message).finalize().into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
    }

    /// Whether `signature` is [`SecretKey::sign`]'s for `message` and `purpose` (compared in
    /// constant time).
    pub fn verify(&self, purpose: &str, message: &[u8], signature: &str) -> bool {
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature.trim())
        else {
            return false;
        };
        self.mac(purpose, message).verify_slice(&tag).is_ok()
    }
}

impl SecretKey {
    /// A short code for `message` and `purpose` that a person can copy from paper: 12
    /// characters from an alphabet without look-alikes (about 59 bits), in groups of four
    /// (`7KQ2-M9XD-4TBW`).
    pub fn code(&self, purpose: &str, message: &[u8]) -> String {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
        let tag = self.mac(purpose, message).finalize().into_bytes();
        let chars: Vec<char> = tag
            .iter()
            .take(12)
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Whether `typed` is [`SecretKey::code`]'s code, ignoring case, spaces and dashes.
    pub fn check_code(&self, purpose: &str, message: &[u8], typed: &str) -> bool {
        let normal = |s: &str| -> Vec<u8> {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase() as u8)
                .collect()
        };
        let (want, got) = (normal(&self.code(purpose, message)), normal(typed));
        // Compared without stopping early, so the time taken tells nothing.
        want.len() == got.len() && want.iter().zip(&got).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_their_purpose_message_and_key() {
        let key = SecretKey::random();
        let sig = key.sign("csrf", b"abc");
        assert!(key.verify("csrf", b"abc", &sig));
        assert!(!key.verify("track", b"abc", &sig));
        assert!(!key.verify("csrf", b"abd", &sig));
        assert!(!SecretKey::random().verify("csrf", b"abc", &sig));
        assert!(!key.verify("csrf", b"abc", "not base64 !"));
        assert!(!key.verify("csrf", b"abc", ""));
    }

    #[test]
    fn codes_are_short_and_checked_loosely() {
        let key = SecretKey::random();
        let code = key.code("tracking", b"RF-1");
        assert_eq!(code.len(), 14, "{code}");
        assert!(key.check_code("tracking", b"RF-1", &code));
        assert!(key.check_code("tracking", b"RF-1", &code.to_lowercase().replace('-', " ")));
        assert!(!key.check_code("tracking", b"RF-2", &code));
        assert!(!key.check_code("tracking", b"RF-1", &code[..9]));
        assert!(!key.check_code("tracking", b"RF-1", ""));
    }

    #[test]
    fn the_kept_key_is_made_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretKey::kept_in(dir.path()).unwrap();
        let b = SecretKey::kept_in(dir.path()).unwrap();
        assert_eq!(a.sign("p", b"m"), b.sign("p", b"m"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("secret_key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
