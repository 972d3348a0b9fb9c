//! Whatever the text, the parser answers and never panics.

use geosip_core::config::SipEndpointConfig;
use proptest::prelude::*;

use super::FULL;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = SipEndpointConfig::parse("fuzz.config", &text);
    }

    #[test]
    fn mutated_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 1..8)
    ) {
        let mut bytes = FULL.as_bytes().to_vec();
        for (at, op, b) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 if i < bytes.len() => { bytes.remove(i); }
                1 => bytes.insert(i.min(bytes.len()), b),
                2 if i < bytes.len() => bytes[i] = b,
                _ => {
                    // Splice in a fragment that is meaningful to the format.
                    let frags: [&[u8]; 6] =
                        [b"\"", b"<", b"/>", b"proxy9", b"&amp;", b"</section>"];
                    let f = frags[usize::from(b) % frags.len()];
                    let at = i.min(bytes.len());
                    bytes.splice(at..at, f.iter().copied());
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = SipEndpointConfig::parse("fuzz.config", &text) {
            // Every error has a message and, past the size check, a line
            // inside the file.
            prop_assert!(!e.message.is_empty());
            if let Some(line) = e.line {
                prop_assert!(line >= 1 && line as usize <= text.lines().count() + 1);
            }
        }
    }
}
