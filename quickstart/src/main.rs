//! The geosip QuickStart.
//!
//! Today geosip has its message layer only, so the QuickStart shows that
//! layer at work: it builds the REGISTER a connection sends, answers it
//! with the 401 a registrar sends, and prints what the parser reads back.
//! The two-site softphone demo replaces this with the runtimes issue.

use geosip_core::message::headers::WwwAuthenticate;
use geosip_core::message::{parse, HeaderName, MessageWriter, Method};

fn main() {
    let mut register = Vec::new();
    MessageWriter::request(&mut register, Method::Register, "sip:site1.example.com")
        .header(
            HeaderName::Via,
            "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-quickstart-1;rport",
        )
        .header(HeaderName::MaxForwards, "70")
        .header(HeaderName::From, "<sip:1001@site1.example.com>;tag=qs1")
        .header(HeaderName::To, "<sip:1001@site1.example.com>")
        .header(HeaderName::CallId, "quickstart-1@127.0.0.1")
        .header(HeaderName::CSeq, "1 REGISTER")
        .header(
            HeaderName::Contact,
            "<sip:1001@127.0.0.1:5070;transport=udp>",
        )
        .header(HeaderName::Expires, "3600")
        .finish(b"");
    println!(
        "--- REGISTER we would send ---\n{}",
        String::from_utf8_lossy(&register)
    );

    let req = match parse(&register) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("our own REGISTER does not parse: {e}");
            std::process::exit(1);
        }
    };
    let mut challenge = Vec::new();
    MessageWriter::response_to(&mut challenge, &req, 401, "Unauthorized", Some("site1"))
        .header(
            HeaderName::WwwAuthenticate,
            "Digest realm=\"site1.example.com\", nonce=\"q1w2e3\", algorithm=SHA-256, qop=\"auth\"",
        )
        .finish(b"");
    println!(
        "--- 401 a registrar answers ---\n{}",
        String::from_utf8_lossy(&challenge)
    );

    match parse(&challenge) {
        Ok(resp) => {
            let ch = resp.typed::<WwwAuthenticate>();
            println!(
                "parsed: status {:?}, To tag {:?}, CSeq {:?}, challenge realm {:?} algorithm {:?}",
                resp.status(),
                resp.to().ok().and_then(|t| t.tag()),
                resp.cseq().ok().map(|c| c.seq),
                ch.as_ref().ok().and_then(|c| c.realm()),
                ch.as_ref().ok().and_then(|c| c.algorithm()),
            );
            if let Err(e) = resp.validate() {
                eprintln!("validation failed: {e}");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("the 401 does not parse: {e}");
            std::process::exit(1);
        }
    }
}
