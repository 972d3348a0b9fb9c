//! Client, verdict and server tests over real parsed challenges.

use super::*;
use crate::message::headers::{AuthValue, Authorization, ProxyAuthenticate, WwwAuthenticate};
use crate::message::{parse, HeaderName, Message};

/// The 401 of /work/shared/bench-messages/unauthorized_register.sip.
const UNAUTHORIZED_REGISTER: &[u8] = b"SIP/2.0 401 Unauthorized\r\n\
Via: SIP/2.0/UDP 192.0.2.101:5060;rport=5060;received=198.51.100.7;branch=z9hG4bKnashds7\r\n\
To: Alice <sip:alice@atlanta.example.com>;tag=37GkEhwl6\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=a73kszlfl\r\n\
Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.101\r\n\
CSeq: 1 REGISTER\r\n\
WWW-Authenticate: Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=SHA-256, qop=\"auth\"\r\n\
WWW-Authenticate: Digest realm=\"atlanta.example.com\", nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5, qop=\"auth\"\r\n\
Server: ExampleRegistrar/2.1\r\n\
Content-Length: 0\r\n\r\n";

const URI: &str = "sip:atlanta.example.com";

fn www<'a>(m: &'a Message<'a>) -> Vec<AuthValue<'a>> {
    m.typed_all::<WwwAuthenticate>()
        .map(|c| c.unwrap().0)
        .collect()
}

fn digest(params: &str) -> AuthValue<'_> {
    AuthValue::new("Digest", params)
}

fn alice() -> Credentials {
    Credentials::new("alice", "wonderland")
}

/// Parses our own header value back, as the registrar would.
fn as_auth(value: &str) -> AuthValue<'_> {
    let (scheme, params) = value.split_once(' ').unwrap();
    AuthValue::new(scheme, params)
}

fn register(
    client: &mut DigestClient,
    challenges: &[AuthValue<'_>],
    cnonce: &str,
) -> AuthorizationOut {
    client
        .respond(
            challenges.iter().copied(),
            false,
            &alice(),
            "REGISTER",
            URI,
            b"",
            cnonce,
        )
        .unwrap()
}

#[test]
fn answers_the_bench_401_with_sha256_first() {
    let m = parse(UNAUTHORIZED_REGISTER).unwrap();
    let mut client = DigestClient::new();
    assert_eq!(
        client.classify(www(&m), None),
        ChallengeVerdict::Retry(RetryReason::FirstChallenge)
    );
    let out = register(&mut client, &www(&m), "0a4f113b");
    let response = compute_response(&DigestInput {
        algorithm: DigestAlgorithm::Sha256,
        username: "alice",
        realm: "atlanta.example.com",
        password: "wonderland",
        nonce: "ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf",
        cnonce: "0a4f113b",
        nc: 1,
        qop: Some(Qop::Auth),
        method: "REGISTER",
        uri: URI,
        body: b"",
    });
    assert_eq!(out.name, HeaderName::Authorization);
    assert_eq!(out.name_str(), "Authorization");
    assert_eq!(out.nonce, "ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf");
    assert_eq!(
        out.value,
        format!(
            "Digest username=\"alice\", realm=\"atlanta.example.com\", \
             nonce=\"ZmDbXmYS2u3rTBZc8rKZ3lU4Qk5lS5Kf\", uri=\"{URI}\", response=\"{response}\", \
             algorithm=SHA-256, cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", \
             qop=auth, nc=00000001"
        )
    );
    // The registrar side accepts it once parsed from a real request.
    let req = format!(
        "REGISTER {URI} SIP/2.0\r\n{}: {}\r\n\r\n",
        out.name_str(),
        out.value
    );
    let req = parse(req.as_bytes()).unwrap();
    let auth = req.typed::<Authorization>().unwrap();
    assert_eq!(verify(&auth, "wonderland", "REGISTER", b""), Ok(()));
    assert_eq!(
        verify_for_user(&auth, "alice", "wonderland", "REGISTER", b""),
        Ok(())
    );
}

#[test]
fn rfc7616_example_through_the_client() {
    let params = "realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, \
                  nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
                  opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    let md5 = params.replace("SHA-256", "MD5");
    for (p, expected) in [
        (
            params,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
        (md5.as_str(), "8ca523f5e9506fed4657c9700eebdbec"),
    ] {
        let out = DigestClient::new()
            .respond(
                [digest(p)],
                false,
                &Credentials::new("Mufasa", "Circle of Life"),
                "GET",
                "/dir/index.html",
                b"",
                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            )
            .unwrap();
        let auth = as_auth(&out.value);
        assert_eq!(auth.response(), Some(expected));
        assert_eq!(auth.qop(), Some("auth"));
        assert_eq!(auth.nc(), Some(1));
        assert_eq!(
            auth.opaque(),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
    }
}

#[test]
fn prefers_the_servers_order_and_skips_unsupported_algorithms() {
    let sha_then_md5 = [
        digest(r#"realm="r", nonce="n", algorithm=SHA-256, qop="auth""#),
        digest(r#"realm="r", nonce="n", algorithm=MD5, qop="auth""#),
    ];
    let out = register(&mut DigestClient::new(), &sha_then_md5, "c");
    assert_eq!(as_auth(&out.value).algorithm(), Some("SHA-256"));

    let md5_then_sha = [sha_then_md5[1], sha_then_md5[0]];
    let out = register(&mut DigestClient::new(), &md5_then_sha, "c");
    assert_eq!(as_auth(&out.value).algorithm(), Some("MD5"));

    let unsupported_first = [
        AuthValue::new("Basic", r#"realm="r""#),
        digest(r#"realm="r", nonce="n", algorithm=AKAv1-MD5, qop="auth""#),
        digest(r#"realm="r", nonce="n", algorithm=SHA-1, qop="auth""#),
        digest(r#"realm="r", nonce="n", algorithm=sha-512-256, qop="auth""#),
    ];
    let out = register(&mut DigestClient::new(), &unsupported_first, "c");
    assert_eq!(as_auth(&out.value).algorithm(), Some("SHA-512-256"));

    let none = [unsupported_first[1], unsupported_first[2]];
    assert_eq!(
        DigestClient::new().respond(none, false, &alice(), "REGISTER", URI, b"", "c"),
        Err(AuthError::NoSupportedChallenge)
    );
    assert_eq!(
        DigestClient::new().classify(none, None),
        ChallengeVerdict::Unsupported
    );
}

#[test]
fn qop_preference_and_legacy_form() {
    let out = register(
        &mut DigestClient::new(),
        &[digest(r#"realm="r", nonce="n", qop="auth-int,auth""#)],
        "c",
    );
    assert_eq!(as_auth(&out.value).qop(), Some("auth"));

    let out = register(
        &mut DigestClient::new(),
        &[digest(r#"realm="r", nonce="n", qop="auth-int""#)],
        "c",
    );
    assert_eq!(as_auth(&out.value).qop(), Some("auth-int"));
    assert_eq!(
        verify(&as_auth(&out.value), "wonderland", "REGISTER", b""),
        Ok(())
    );
    assert_eq!(
        verify(&as_auth(&out.value), "wonderland", "REGISTER", b"tampered"),
        Err(VerifyError::ResponseMismatch)
    );

    // An unknown qop only: not answerable; skipped for the next challenge.
    let out = register(
        &mut DigestClient::new(),
        &[
            digest(r#"realm="r", nonce="n1", qop="auth-conf""#),
            digest(r#"realm="r", nonce="n2""#),
        ],
        "c",
    );
    // RFC 2617 form: no qop, nc, cnonce, algorithm or opaque.
    assert_eq!(
        out.value,
        format!(
            "Digest username=\"alice\", realm=\"r\", nonce=\"n2\", uri=\"{URI}\", response=\"{}\"",
            as_auth(&out.value).response().unwrap()
        )
    );
    assert_eq!(
        verify(&as_auth(&out.value), "wonderland", "REGISTER", b""),
        Ok(())
    );
}

#[test]
fn nc_counts_per_nonce_and_resets_on_a_new_one() {
    let mut client = DigestClient::new();
    let first = [digest(r#"realm="r", nonce="n1", qop="auth""#)];
    assert_eq!(register(&mut client, &first, "c1").nc, 1);
    let cached = client
        .authorize_with_cached("REGISTER", URI, b"", "c2")
        .unwrap();
    assert_eq!((cached.nc, cached.nonce.as_str()), (2, "n1"));
    assert!(cached.value.ends_with("nc=00000002"));
    assert_eq!(
        verify(&as_auth(&cached.value), "wonderland", "REGISTER", b""),
        Ok(())
    );
    // The same nonce challenged again keeps counting.
    assert_eq!(register(&mut client, &first, "c3").nc, 3);
    // A new nonce starts over.
    let second = [digest(r#"realm="r", nonce="n2", qop="auth""#)];
    let out = register(&mut client, &second, "c4");
    assert_eq!((out.nc, out.nonce.as_str()), (1, "n2"));
    assert_eq!(client.cached_nonce(), Some("n2"));
    assert_eq!(
        client
            .authorize_with_cached("REGISTER", URI, b"", "c5")
            .unwrap()
            .nc,
        2
    );

    assert_eq!(
        DigestClient::new().authorize_with_cached("REGISTER", URI, b"", "c"),
        None
    );
    client.forget();
    assert_eq!(client.cached_nonce(), None);
}

#[test]
fn stale_with_a_new_nonce_is_a_retry() {
    let mut client = DigestClient::new();
    let sent = register(
        &mut client,
        &[digest(r#"realm="r", nonce="n1", qop="auth""#)],
        "c1",
    );
    let stale = [digest(r#"realm="r", nonce="n2", qop="auth", stale=TRUE"#)];
    assert_eq!(
        client.classify(stale, Some(&sent.nonce)),
        ChallengeVerdict::Retry(RetryReason::StaleNonce)
    );
    let retry = register(&mut client, &stale, "c2");
    assert_eq!((retry.nonce.as_str(), retry.nc), ("n2", 1));
}

#[test]
fn a_fresh_challenge_after_our_credentials_is_a_rejection() {
    let mut client = DigestClient::new();
    let sent = register(
        &mut client,
        &[digest(r#"realm="r", nonce="n1", qop="auth""#)],
        "c1",
    );
    assert_eq!(
        client.classify(
            [digest(r#"realm="r", nonce="n2", qop="auth""#)],
            Some(&sent.nonce)
        ),
        ChallengeVerdict::Rejected(RejectReason::WrongCredentials)
    );
    // The same nonce, even flagged stale, is refused too.
    assert_eq!(
        client.classify(
            [digest(r#"realm="r", nonce="n1", qop="auth", stale=true"#)],
            Some(&sent.nonce)
        ),
        ChallengeVerdict::Rejected(RejectReason::SameNonce)
    );
}

#[test]
fn a_forgotten_cached_nonce_is_retried_once() {
    let mut client = DigestClient::new();
    register(
        &mut client,
        &[digest(r#"realm="r", nonce="n1", qop="auth""#)],
        "c1",
    );
    let refresh = client
        .authorize_with_cached("REGISTER", URI, b"", "c2")
        .unwrap();
    let fresh = [digest(r#"realm="r", nonce="n2", qop="auth""#)];
    assert_eq!(
        client.classify(fresh, Some(&refresh.nonce)),
        ChallengeVerdict::Retry(RetryReason::CachedNonceExpired)
    );
    let retry = register(&mut client, &fresh, "c3");
    assert_eq!(
        client.classify(
            [digest(r#"realm="r", nonce="n3", qop="auth""#)],
            Some(&retry.nonce)
        ),
        ChallengeVerdict::Rejected(RejectReason::WrongCredentials)
    );
}

#[test]
fn a_server_that_challenges_forever_ends_the_loop() {
    let mut client = DigestClient::new();
    let mut previous: Option<String> = None;
    let mut rounds = 0;
    let verdict = loop {
        rounds += 1;
        assert!(rounds < 20, "the retry loop does not end");
        let params = format!(r#"realm="r", nonce="n{rounds}", qop="auth", stale=true"#);
        let ch = [digest(&params)];
        match client.classify(ch, previous.as_deref()) {
            ChallengeVerdict::Retry(_) => previous = Some(register(&mut client, &ch, "c").nonce),
            other => break other,
        }
    };
    assert_eq!(
        verdict,
        ChallengeVerdict::Rejected(RejectReason::TooManyRetries)
    );
    assert_eq!(rounds, usize::from(MAX_RETRIES_AFTER_CREDENTIALS) + 2);

    // Realms taking turns are bounded the same way.
    let mut client = DigestClient::new();
    let mut previous: Option<String> = None;
    let mut rounds = 0;
    let verdict = loop {
        rounds += 1;
        assert!(rounds < 20, "the retry loop does not end");
        let params = format!(r#"realm="r{}", nonce="n{rounds}", qop="auth""#, rounds % 2);
        let ch = [digest(&params)];
        match client.classify(ch, previous.as_deref()) {
            ChallengeVerdict::Retry(_) => previous = Some(register(&mut client, &ch, "c").nonce),
            other => break other,
        }
    };
    assert_eq!(
        verdict,
        ChallengeVerdict::Rejected(RejectReason::TooManyRetries)
    );
}

#[test]
fn a_407_gets_proxy_authorization() {
    let m = parse(
        b"SIP/2.0 407 Proxy Authentication Required\r\n\
Proxy-Authenticate: Digest realm=\"proxy.example.com\", nonce=\"pn\", algorithm=SHA-256, qop=\"auth\", opaque=\"o\"\r\n\
Content-Length: 0\r\n\r\n",
    )
    .unwrap();
    let challenges = m.typed_all::<ProxyAuthenticate>().map(|c| c.unwrap().0);
    let out = DigestClient::new()
        .respond(
            challenges,
            true,
            &alice(),
            "INVITE",
            "sip:bob@example.com",
            b"v=0\r\n",
            "c",
        )
        .unwrap();
    assert_eq!(out.name, HeaderName::ProxyAuthorization);
    assert_eq!(out.name_str(), "Proxy-Authorization");
    assert_eq!(
        verify(&as_auth(&out.value), "wonderland", "INVITE", b""),
        Ok(())
    );
}

#[test]
fn every_algorithm_and_qop_round_trips_through_verify() {
    for algorithm in DigestAlgorithm::ALL {
        for qop in [&[Qop::Auth][..], &[Qop::AuthInt], &[]] {
            let value = challenge("r", "nonce\"1", algorithm, false, qop);
            let bytes = format!("SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: {value}\r\n\r\n");
            let m = parse(bytes.as_bytes()).unwrap();
            let m = m.typed::<WwwAuthenticate>().unwrap().0;
            let out = DigestClient::new()
                .respond([m], false, &alice(), "MESSAGE", URI, b"hello", "c\\n")
                .unwrap();
            let auth = as_auth(&out.value);
            assert_eq!(auth.algorithm(), Some(algorithm.as_str()));
            assert_eq!(
                verify(&auth, "wonderland", "MESSAGE", b"hello"),
                Ok(()),
                "{value}"
            );
            assert_eq!(
                verify(&auth, "wonderland!", "MESSAGE", b"hello"),
                Err(VerifyError::ResponseMismatch)
            );
            assert_eq!(
                verify(&auth, "wonderland", "REGISTER", b"hello"),
                Err(VerifyError::ResponseMismatch)
            );
        }
    }
}

#[test]
fn userhash_hides_the_user_name() {
    let out = register(
        &mut DigestClient::new(),
        &[digest(
            r#"realm="r", nonce="n", algorithm=SHA-256, qop="auth", userhash=true"#,
        )],
        "c",
    );
    let auth = as_auth(&out.value);
    assert_eq!(
        auth.username(),
        Some(userhash(DigestAlgorithm::Sha256, "alice", "r").as_str())
    );
    assert!(auth.userhash());
    assert!(!out.value.contains("alice"));
    assert_eq!(
        verify(&auth, "wonderland", "REGISTER", b""),
        Err(VerifyError::UserhashNeedsUsername)
    );
    assert_eq!(
        verify_for_user(&auth, "alice", "wonderland", "REGISTER", b""),
        Ok(())
    );
    assert_eq!(
        verify_for_user(&auth, "bob", "wonderland", "REGISTER", b""),
        Err(VerifyError::WrongUser)
    );
}

#[test]
fn verify_reports_what_is_wrong() {
    let base = r#"username="a", realm="r", nonce="n", uri="sip:r", response="00""#;
    let with = |extra: &str| format!("{base}{extra}");
    let check = |p: &str| verify(&digest(p), "pw", "REGISTER", b"");
    assert_eq!(
        verify(&AuthValue::new("Basic", ""), "pw", "REGISTER", b""),
        Err(VerifyError::NotDigest)
    );
    assert_eq!(check(r#"realm="r""#), Err(VerifyError::Missing("username")));
    assert_eq!(
        check(&with(", qop=auth, nc=00000001")),
        Err(VerifyError::Missing("cnonce"))
    );
    assert_eq!(
        check(&with(r#", qop=auth, cnonce="c""#)),
        Err(VerifyError::Missing("nc"))
    );
    assert_eq!(
        check(&with(r#", qop=auth, cnonce="c", nc=1"#)),
        Err(VerifyError::BadNonceCount)
    );
    assert_eq!(
        check(&with(r#", qop=auth-conf, cnonce="c", nc=00000001"#)),
        Err(VerifyError::UnsupportedQop("auth-conf".into()))
    );
    assert_eq!(
        check(&with(", algorithm=SHA-1")),
        Err(VerifyError::UnsupportedAlgorithm("SHA-1".into()))
    );
    assert_eq!(
        check(&with(", algorithm=MD5-sess")),
        Err(VerifyError::Missing("cnonce"))
    );
    assert_eq!(check(base), Err(VerifyError::ResponseMismatch));
}

#[test]
fn challenge_headers_parse_back() {
    let value = Challenge {
        realm: "atlanta.example.com",
        nonce: "abc",
        opaque: Some("op"),
        algorithm: DigestAlgorithm::Sha512_256Sess,
        qop: &[Qop::Auth, Qop::AuthInt],
        stale: true,
        userhash: true,
    }
    .to_string();
    let bytes = format!("SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: {value}\r\n\r\n");
    let m = parse(bytes.as_bytes()).unwrap();
    let c = m.typed::<WwwAuthenticate>().unwrap();
    assert_eq!(c.realm(), Some("atlanta.example.com"));
    assert_eq!(c.nonce(), Some("abc"));
    assert_eq!(c.opaque(), Some("op"));
    assert_eq!(c.algorithm(), Some("SHA-512-256-sess"));
    assert_eq!(c.qop_options().collect::<Vec<_>>(), ["auth", "auth-int"]);
    assert!(c.stale() && c.userhash());
}

#[test]
fn debug_output_never_shows_the_password() {
    let creds = Credentials::new("alice", "wonderland");
    let mut client = DigestClient::new();
    register(
        &mut client,
        &[digest(r#"realm="r", nonce="n", qop="auth""#)],
        "c",
    );
    for dbg in [
        format!("{creds:?}"),
        format!("{client:?}"),
        format!("{creds:#?}"),
    ] {
        assert!(!dbg.contains("wonderland"), "{dbg}");
    }
    // Not the password-equivalent H(A1) either.
    let ha1 = DigestAlgorithm::Md5.hash_hex(b"alice:r:wonderland");
    assert!(!format!("{client:?}").contains(&ha1));
}
